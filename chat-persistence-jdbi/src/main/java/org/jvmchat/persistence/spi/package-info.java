/**
 * Service-provider interfaces of the chat store: what an optional module plugs in through {@link
 * java.util.ServiceLoader}.
 */
package org.jvmchat.persistence.spi;
