/**
 * The PostgreSQL store behind {@link org.jvmchat.persistence.ChatStores}: connection pool,
 * migrations, the embedded PostgreSQL and the group-commit writer. Internal: may change at any
 * time; use the types of {@code org.jvmchat.persistence}.
 */
package org.jvmchat.persistence.internal;
