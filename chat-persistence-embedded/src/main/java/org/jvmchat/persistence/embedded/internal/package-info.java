/**
 * The embedded PostgreSQL's process handling and platform check. Internal: may change at any time.
 */
package org.jvmchat.persistence.embedded.internal;
