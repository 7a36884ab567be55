/**
 * The scale-out lifetime manager, written once against the {@link org.jvmchat.hub.spi.Backplane}
 * SPI: channel naming, the wire format of backplane payloads, the local short-circuit, group
 * acknowledgements and client results across instances; plus an in-memory backplane. Internal: may
 * change at any time.
 */
package org.jvmchat.hub.internal.scaleout;
