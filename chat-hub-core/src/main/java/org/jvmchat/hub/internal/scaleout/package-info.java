/**
 * The scale-out lifetime manager, written once against the {@link org.jvmchat.hub.spi.Backplane}
 * SPI: channel naming, the wire format of backplane payloads, the local short-circuit, group
 * acknowledgements and client results across instances. (The in-memory backplane the tests use is
 * chat-test-support's {@code LocalBackplane}.) Internal: may change at any time.
 *
 * <p>May depend on {@code internal.lifetime} (local delivery), {@code internal.connection} and the
 * SPI only.
 */
package org.jvmchat.hub.internal.scaleout;
