/**
 * The Redis backplane of the hub library: {@code org.jvmchat.backplane.redis} ({@code
 * RedisBackplane}, its options and {@code RedisUserGroupStore}), on Lettuce ({@code lettuce.core},
 * an automatic module; {@code RedisBackplane.create(RedisClient, …)} takes the application's
 * client).
 */
module org.jvmchat.backplane.redis {
  requires transitive org.jvmchat.hub;
  requires transitive lettuce.core;
  requires org.slf4j;

  exports org.jvmchat.backplane.redis;
}
