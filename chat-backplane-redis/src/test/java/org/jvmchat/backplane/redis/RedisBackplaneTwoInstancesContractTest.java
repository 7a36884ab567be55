package org.jvmchat.backplane.redis;

import static org.awaitility.Awaitility.await;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.jvmchat.hub.spi.Backplane;
import org.jvmchat.hub.spi.UserGroupStore;
import org.jvmchat.testing.ScaleoutHubLifetimeManagerContract;
import org.jvmchat.testing.TcpProxy;

/**
 * The lifetime-manager contract on the real Redis: two server instances in this JVM, each with its
 * own {@link RedisBackplane} reaching Redis through its own TCP proxy (so one instance can be cut
 * off without touching the shared Redis). Every test uses a fresh channel prefix.
 */
class RedisBackplaneTwoInstancesContractTest extends ScaleoutHubLifetimeManagerContract {
  private final List<TcpProxy> proxies = new ArrayList<>();

  @BeforeAll
  static void redisMustAnswer() {
    RedisTestSupport.requireRedis();
  }

  @Override
  protected int instances() {
    return 2;
  }

  @Override
  protected Backplane newBackplane(int index) throws Exception {
    TcpProxy proxy = new TcpProxy(RedisTestSupport.HOST, RedisTestSupport.PORT);
    proxies.add(proxy);
    RedisBackplane backplane =
        RedisBackplane.create(options(RedisTestSupport.viaProxy(proxy)).build());
    await().atMost(TIMEOUT).until(backplane::isConnected);
    return backplane;
  }

  /** The options of every instance's backplane. */
  protected RedisBackplaneOptions.Builder options(String url) {
    return RedisTestSupport.fastOptions(url);
  }

  @Override
  protected UserGroupStore userGroupStore(int index) {
    return ((RedisBackplane) backplane(index)).userGroupStore();
  }

  @Override
  protected void cut(int index) {
    proxies.get(index).cut();
  }

  @Override
  protected void restore(int index) {
    proxies.get(index).restore();
  }

  @Override
  protected void afterManagersClosed() throws Exception {
    super.afterManagersClosed(); // the backplanes first, then the proxies they use
    for (TcpProxy p : proxies) {
      p.close();
    }
    proxies.clear();
  }
}
