/**
 * An embedded PostgreSQL for the chat store. Nothing here needs calling: with this module on the
 * classpath, {@link org.jvmchat.persistence.ChatStores#open(org.jvmchat.persistence.StoreOptions)}
 * finds {@link org.jvmchat.persistence.embedded.ZonkyEmbeddedDatabaseProvider} through {@link
 * java.util.ServiceLoader} and starts PostgreSQL in {@code <CHAT_DATA_DIR>/pg} whenever no {@code
 * DATABASE_URL} is set.
 *
 * <p>It ships PostgreSQL 18 for linux-amd64, linux-arm64v8, darwin-amd64 and darwin-arm64v8. On any
 * other platform the start fails at once with {@link
 * org.jvmchat.persistence.EmbeddedDatabaseUnavailableException}, whose one-line message says to set
 * {@code DATABASE_URL} or {@code CHAT_STORE=memory}.
 */
package org.jvmchat.persistence.embedded;
