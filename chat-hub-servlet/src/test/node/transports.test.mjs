// The Servlet host on real embedded Tomcat 11 and Jetty 12 with the official client: every transport
// and protocol, calls, streaming both ways, client results, broadcasts, the container's user.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import * as signalR from "@microsoft/signalr";
import { startContainer, CONTAINERS, COMBINATIONS, connect, waitFor, collect, request } from "./support.mjs";

for (const kind of CONTAINERS) {
  describe(`${kind}`, () => {
    let server;
    before(async () => {
      server = await startContainer(kind);
    });
    after(async () => {
      await server?.stop();
    });

    for (const [transport, protocol] of COMBINATIONS) {
      it(`${transport} / ${protocol}: echo, both stream directions, a client result, a broadcast`, async () => {
        const c = connect(server.url, { transport, protocol });
        c.on("Ask", (q) => `answer to ${q}`);
        const broadcasts = [];
        c.on("Broadcasted", (m) => broadcasts.push(m));
        await c.start();
        try {
          assert.equal(await c.invoke("Transport"), transport);
          assert.equal(await c.invoke("Echo", "héllo ✓"), "héllo ✓");
          // A large message crosses the container's buffers in pieces.
          const big = "x".repeat(20000);
          assert.equal(await c.invoke("Echo", big), big);

          assert.deepEqual(await collect(c.stream("Counter", 5, 5)), [0, 1, 2, 3, 4]);

          const subject = new signalR.Subject();
          const sum = c.invoke("Sum", subject);
          for (let i = 1; i <= 10; i++) subject.next(i);
          subject.complete();
          assert.equal(await sum, 55);

          assert.equal(await c.invoke("AskClient", "q1"), "answer to q1");

          await c.invoke("Broadcast", `${transport}-${protocol}`);
          await waitFor(() => broadcasts.length === 1, 10000, "the broadcast");
          assert.deepEqual(broadcasts, [`${transport}-${protocol}`]);
        } finally {
          await c.stop();
        }
      });
    }

    for (const [transport, protocol] of COMBINATIONS) {
      it(`${transport} / ${protocol}: an upload faster than the hub reads pauses the connection, then resumes`, async () => {
        const c = connect(server.url, { transport, protocol });
        await c.start();
        try {
          // 1,000 items into a stream buffer of 10 that the method empties one item a ms: reading
          // pauses (on WebSockets the container's thread waits) and resumes until all are summed.
          const subject = new signalR.Subject();
          const sum = c.invoke("SlowSum", subject, 1);
          let expected = 0;
          for (let i = 1; i <= 1000; i++) {
            subject.next(i);
            expected += i;
          }
          subject.complete();
          assert.equal(await sum, expected);
          assert.equal(await c.invoke("Echo", "after the pause"), "after the pause");
          if (transport === "WebSockets") {
            // The host logs (at DEBUG in the tests) when it holds a WebSocket's reading.
            assert.match(server.output(), /WebSocket reading paused/);
          }
        } finally {
          await c.stop();
        }
      });
    }

    it("a stream the client cancels stops; the connection goes on", async () => {
      const c = connect(server.url, { transport: "WebSockets" });
      await c.start();
      const got = [];
      const sub = c.stream("Counter", 1000, 20).subscribe({ next: (i) => got.push(i), complete() {}, error() {} });
      await waitFor(() => got.length >= 3, 10000, "three items");
      sub.dispose();
      const n = got.length;
      assert.equal(await c.invoke("Echo", "after cancel"), "after cancel");
      assert.ok(got.length <= n + 2, `items kept coming after the cancel (${n} -> ${got.length})`);
      await c.stop();
    });

    it("broadcasts reach every transport at once", async () => {
      const clients = COMBINATIONS.map(([transport, protocol]) => connect(server.url, { transport, protocol }));
      const got = clients.map(() => []);
      clients.forEach((c, i) => c.on("Broadcasted", (m) => got[i].push(m)));
      await Promise.all(clients.map((c) => c.start()));
      await clients[0].invoke("Broadcast", "to all");
      await waitFor(() => got.every((g) => g.length === 1), 10000, "every client's broadcast");
      for (const g of got) assert.deepEqual(g, ["to all"]);
      await Promise.all(clients.map((c) => c.stop()));
    });

    describe("the container's user", () => {
      const secure = () => server.url.replace("/hubs/test", "/hubs/secure");

      it("an anonymous client gets 401 from a hub that requires a user", async () => {
        const response = await request(`${secure()}/negotiate?negotiateVersion=1`, { method: "POST" });
        assert.equal(response.status, 401);
        assert.equal(response.headers.get("www-authenticate"), "Bearer");
        const c = connect(secure(), {});
        await assert.rejects(c.start(), /401/);
      });

      for (const [transport] of [["WebSockets"], ["ServerSentEvents"], ["LongPolling"]]) {
        it(`${transport}: the principal the security filter set is the hub's user`, async () => {
          const c = connect(secure(), { transport, options: { accessTokenFactory: () => "alice" } });
          await c.start();
          assert.equal(await c.invoke("WhoAmI"), "alice");
          await c.stop();
        });
      }

      it("another user cannot use alice's connection token", async () => {
        const negotiate = await request(`${secure()}/negotiate?negotiateVersion=1`, {
          method: "POST",
          headers: { Authorization: "Bearer alice" },
        });
        assert.equal(negotiate.status, 200);
        const { connectionToken } = await negotiate.json();
        const poll = await request(`${secure()}?id=${connectionToken}`, { headers: { Authorization: "Bearer mallory" } });
        assert.equal(poll.status, 403);
      });
    });

    describe("status codes of SIGNALR.md §1.3", () => {
      it("404 for an unknown connection, 400 without an id, 405 for GET negotiate", async () => {
        assert.equal((await request(`${server.url}?id=nope`)).status, 404);
        assert.equal((await request(`${server.url}`, { method: "POST", body: "x" })).status, 400);
        assert.equal((await request(`${server.url}/negotiate`)).status, 405);
        // A path no hub maps is the container's (404 on Tomcat, 405 from Jetty's default servlet).
        const other = (await request(`${server.base}/hubs/none/negotiate`, { method: "POST" })).status;
        assert.ok([404, 405].includes(other), `status ${other}`);
        // Larger than maxRequestBodySize (1 MiB): 413.
        const { connectionToken } = await (
          await request(`${server.url}/negotiate?negotiateVersion=1`, { method: "POST" })
        ).json();
        const url = `${server.url}?id=${encodeURIComponent(connectionToken)}`;
        assert.equal((await request(url)).status, 200);
        assert.equal((await request(url, { method: "POST", body: "x".repeat(1024 * 1024 + 1) })).status, 413);
      });

      it("negotiate lists the three transports and answers version 1", async () => {
        const r = await request(`${server.url}/negotiate?negotiateVersion=1`, { method: "POST" });
        const body = await r.json();
        assert.equal(body.negotiateVersion, 1);
        assert.ok(body.connectionToken && body.connectionId && body.connectionToken !== body.connectionId);
        assert.deepEqual(
          body.availableTransports.map((t) => t.transport),
          ["WebSockets", "ServerSentEvents", "LongPolling"],
        );
      });

      it("a long-polling DELETE ends the connection: 202, then the next poll 204", async () => {
        const { connectionToken } = await (
          await request(`${server.url}/negotiate?negotiateVersion=1`, { method: "POST" })
        ).json();
        const url = `${server.url}?id=${encodeURIComponent(connectionToken)}`;
        assert.equal((await request(url)).status, 200); // the first poll starts the transport
        assert.equal((await request(url, { method: "POST", body: '{"protocol":"json","version":1}\x1e' })).status, 200);
        const handshake = await request(url);
        assert.equal(handshake.status, 200);
        assert.equal(await handshake.text(), "{}\x1e");
        assert.equal((await request(url, { method: "DELETE" })).status, 202);
        const last = await request(url);
        assert.ok([204, 404].includes(last.status), `status ${last.status}`);
      });
    });
  });
}
