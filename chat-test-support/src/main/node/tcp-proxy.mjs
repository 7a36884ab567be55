// A TCP proxy on 127.0.0.1 for the Node interop tests (examples, chat-server): the one copy, imported
// by relative path (../../../../chat-test-support/src/main/node/tcp-proxy.mjs from src/test/node).
import net from 'node:net';

/**
 * Starts a proxy on a free port of 127.0.0.1 in front of one or more targets.
 *
 * - `targets`: a port, a `{ name, port }`, or an array of them; each new TCP connection goes to the
 *   next target in turn (round robin, no affinity), so with one target it is a plain proxy.
 * - `options.onConnection({ target, client, upstream })`: called for each proxied connection before
 *   the bytes flow, e.g. to record the requests and answers that pass (add `data` listeners; the
 *   proxy pipes both ways regardless).
 *
 * Resolves to:
 * - `port`, `url` (`http://127.0.0.1:<port>`);
 * - `cut()`: resets every proxied socket (TCP RST, no close handshake: a network loss);
 * - `hold()` / `release()`: new connections are accepted but wait, unconnected, until `release()`;
 * - `close()`: cuts everything, drops waiting connections and stops listening.
 */
export async function startTcpProxy(targets, { onConnection } = {}) {
  const list = (Array.isArray(targets) ? targets : [targets]).map((t) =>
    typeof t === 'number' ? { name: String(t), port: t } : t,
  );
  if (list.length === 0) throw new Error('startTcpProxy needs at least one target');
  let next = 0;
  let held = false;
  const waiting = [];
  const sockets = new Set();

  const pipe = (client) => {
    const target = list[next++ % list.length];
    const upstream = net.connect(target.port, '127.0.0.1');
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
      s.on('error', drop).once('close', drop);
    }
    onConnection?.({ target, client, upstream });
    client.pipe(upstream);
    upstream.pipe(client);
  };

  const server = net.createServer((client) => {
    client.on('error', () => client.destroy());
    if (held) waiting.push(client);
    else pipe(client);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = server.address().port;

  const cut = () => {
    for (const s of sockets) s.resetAndDestroy ? s.resetAndDestroy() : s.destroy();
    sockets.clear();
  };
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    cut,
    hold() {
      held = true;
    },
    release() {
      held = false;
      for (const c of waiting.splice(0)) if (!c.destroyed) pipe(c);
    },
    close() {
      cut();
      for (const c of waiting.splice(0)) c.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
