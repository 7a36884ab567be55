// Stateful reconnect and automatic reconnect on the Servlet host (Tomcat and Jetty), through a TCP
// proxy that cuts the connection (a network loss: no close handshake).
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTcpProxy } from "../../../../chat-test-support/src/main/node/tcp-proxy.mjs";
import { startContainer, CONTAINERS, connect, waitFor } from "./support.mjs";

for (const kind of CONTAINERS) {
  describe(`${kind}`, () => {
    let server;
    let proxy;
    before(async () => {
      server = await startContainer(kind);
      proxy = await startTcpProxy(server.port);
    });
    after(async () => {
      await proxy?.close();
      await server?.stop();
    });
    const viaProxy = () => server.url.replace(`:${server.port}/`, `:${proxy.port}/`);

    for (const protocol of ["json", "messagepack"]) {
      it(`stateful reconnect (${protocol}): every message arrives once, in order, on the same connection`, async () => {
        const receiver = connect(viaProxy(), { transport: "WebSockets", protocol, stateful: true });
        const got = [];
        let reconnecting = false;
        let closed = false;
        receiver.on("Broadcasted", (m) => got.push(m));
        receiver.onreconnecting(() => (reconnecting = true));
        receiver.onclose(() => (closed = true));
        await receiver.start();
        const id = receiver.connectionId;

        const sender = connect(server.url, { transport: "WebSockets", protocol });
        sender.on("Broadcasted", () => {});
        await sender.start();
        const total = 300;
        const expected = [];
        for (let i = 0; i < total; i++) {
          const text = `${protocol}-${i}`;
          expected.push(text);
          await sender.send("Broadcast", text);
          if (i === 50 || i === 200) proxy.cut();
        }
        await waitFor(() => got.length >= total || closed, 30000, `${total} messages (got ${got.length})`);
        assert.equal(closed, false, "the receiver's connection closed");
        assert.equal(reconnecting, false, "a stateful reconnect is invisible to the application");
        assert.deepEqual(got, expected);
        assert.equal(receiver.connectionId, id);
        assert.equal(await receiver.invoke("Echo", "same connection"), "same connection");
        await sender.stop();
        await receiver.stop();
      });
    }

    for (const transport of ["WebSockets", "ServerSentEvents", "LongPolling"]) {
      it(`automatic reconnect (${transport}): a lost connection is replaced by a new one`, async () => {
        const c = connect(viaProxy(), {
          transport,
          configure: (b) => b.withAutomaticReconnect([0, 200, 500, 1000, 2000, 2000, 2000]),
          options: { timeout: 4000 },
        });
        let reconnected = null;
        c.onreconnected((id) => (reconnected = id));
        await c.start();
        const first = c.connectionId;
        assert.equal(await c.invoke("Echo", "before"), "before");
        proxy.cut();
        await waitFor(() => reconnected !== null, 30000, "the automatic reconnect");
        assert.notEqual(reconnected, first);
        assert.equal(await c.invoke("Echo", "after"), "after");
        await c.stop();
      });
    }
  });
}
