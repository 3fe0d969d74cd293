/**
 * H2 MVStore helpers shared by every persistent store of the data directory: opening files ({@link
 * org.chorus.dht.store.MvStores}) and group commit ({@link org.chorus.dht.store.GroupCommit}). A
 * low, Spring-free package so that both {@code kad} (record and provider stores) and {@code
 * backend}/{@code storage} can use it.
 */
package org.chorus.dht.store;
