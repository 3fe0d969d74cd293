/**
 * Kad value and provider storage: {@link org.chorus.dht.kad.records.RecordStore} (values, 48 h),
 * {@link org.chorus.dht.kad.records.ProviderStore} (provider records, 48 h; their addresses 24 h)
 * and namespace validation ({@link org.chorus.dht.kad.records.NamespacedValidator}). Everything is
 * bounded by a named cap and reads time from an injected {@link java.time.Clock}. The persistent
 * stores ({@link org.chorus.dht.kad.records.MvRecordStore}, {@link
 * org.chorus.dht.kad.records.MvProviderStore}) live in H2 MVStore files of the data directory and
 * acknowledge a write only after commit and sync.
 */
package org.chorus.dht.kad.records;
