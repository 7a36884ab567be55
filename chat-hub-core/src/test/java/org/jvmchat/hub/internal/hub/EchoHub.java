package org.jvmchat.hub.internal.hub;

import org.jvmchat.hub.Hub;

/** The smallest hub: {@code echo(text)} answers its argument. For the embedded-channel tests. */
public class EchoHub extends Hub {
  public String echo(String text) {
    return text;
  }
}
