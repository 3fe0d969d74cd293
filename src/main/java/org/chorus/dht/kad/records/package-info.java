/**
 * Kad value and provider storage: {@link org.chorus.dht.kad.records.RecordStore} (values, 48 h),
 * {@link org.chorus.dht.kad.records.ProviderStore} (provider records, 48 h; their addresses 24 h)
 * and namespace validation ({@link org.chorus.dht.kad.records.NamespacedValidator}). Everything is
 * bounded by a named cap and reads time from an injected {@link java.time.Clock}.
 */
package org.chorus.dht.kad.records;
