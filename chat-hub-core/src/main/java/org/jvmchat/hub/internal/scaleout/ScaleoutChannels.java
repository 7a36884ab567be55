package org.jvmchat.hub.internal.scaleout;

/**
 * Channel names of one hub. {@code base} is the channel prefix followed by the hub name (its path),
 * e.g. {@code myapp:/hubs/chat}.
 *
 * <pre>
 * {base}:all                      broadcasts; every instance subscribes
 * {base}:connection:{id}          one connection (invocations, client results, group commands);
 *                                 subscribed by the instance holding it
 * {base}:group:{name}             a group; subscribed while a local connection is a member
 * {base}:user:{id}                a user; subscribed while a local connection has that user
 * {base}:internal:ack:{server}    acknowledgements of that instance's group commands
 * {base}:internal:return:{server} client results returning to that instance
 * </pre>
 */
final class ScaleoutChannels {
  private final String base;

  ScaleoutChannels(String channelPrefix, String hubName) {
    this.base = channelPrefix + hubName;
  }

  String all() {
    return base + ":all";
  }

  String connection(String connectionId) {
    return base + ":connection:" + connectionId;
  }

  String group(String groupName) {
    return base + ":group:" + groupName;
  }

  String user(String userId) {
    return base + ":user:" + userId;
  }

  String ack(String serverName) {
    return base + ":internal:ack:" + serverName;
  }

  String returns(String serverName) {
    return base + ":internal:return:" + serverName;
  }
}
