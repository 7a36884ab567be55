// A client that floods a WebSocket whose invocations cannot run (issue #27's probe, issue #20's
// defect) on real Tomcat, Jetty and Undertow: the hub connection reaches its bound (64 invocations / 1 MiB),
// pauses reading, and the container takes in no more, so that the rest stays in the client.
//
// The client here offers permessage-deflate as browsers and Node's `ws` do. The host negotiates no
// extension (as the Netty host and ASP.NET Core): with compression, a flood of compressible text
// shrinks to a few bytes a message on the wire, so that a paused server can hold a whole flood in
// its socket buffer, and what the client still holds no longer says whether reading stopped.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws"; // the WebSocket library the official client uses in Node
import { startContainer, CONTAINERS, connect, waitFor, request } from "./support.mjs";

const RS = "\u001e";
const N = 600; // 18 MB: the server takes in its bound and the sockets' buffers (about 4 MB measured)
const payload = "x".repeat(30000);
const invocation = (id, target, ...args) => JSON.stringify({ type: 1, invocationId: id, target, arguments: args }) + RS;

for (const kind of CONTAINERS) {
  describe(`${kind}`, () => {
    let server;
    before(async () => {
      server = await startContainer(kind);
    });
    after(async () => {
      await server?.stop();
    });

    it("a WebSocket flood behind an unanswered client result is held in the client, then every Echo completes in order", async (t) => {
      const url = server.url.replace("/hubs/test", "/hubs/flood");
      const neg = await (await request(url + "/negotiate?negotiateVersion=1", { method: "POST" })).json();
      const ws = new WebSocket(`${url}?id=${neg.connectionToken}`.replace(/^http/, "ws"));
      await new Promise((res, rej) => {
        ws.once("open", res);
        ws.once("error", rej);
      });
      let pending = "";
      let handshaken = false;
      let ask = null;
      let close = null;
      const completions = [];
      ws.on("message", (data) => {
        pending += data.toString();
        let end;
        while ((end = pending.indexOf(RS)) >= 0) {
          const m = JSON.parse(pending.slice(0, end));
          pending = pending.slice(end + 1);
          if (!handshaken) handshaken = true;
          else if (m.type === 1 && m.target === "Ask") ask = m;
          else if (m.type === 3 && m.invocationId.startsWith("e")) completions.push(m.invocationId + " " + (m.result?.length ?? m.error));
          else if (m.type === 7) close = m;
        }
      });
      try {
        ws.send('{"protocol":"json","version":1}' + RS);
        await waitFor(() => handshaken, 5000, "the handshake response");
        ws.send(invocation("ask", "AskClient", "are you there?"));
        await waitFor(() => ask !== null, 5000, "the Ask");

        for (let i = 0; i < N; i++) ws.send(invocation(`e${i}`, "Echo", `${i}:${payload}`));
        const sent = N * (payload.length + 40);
        // Wait until the server stopped taking bytes (bufferedAmount still for 500 ms).
        let last = ws.bufferedAmount;
        let since = Date.now();
        await waitFor(() => {
          if (ws.bufferedAmount !== last) {
            last = ws.bufferedAmount;
            since = Date.now();
          }
          return ws.bufferedAmount === 0 || Date.now() - since >= 500;
        }, 20000, "the sender to settle");
        const held = ws.bufferedAmount;
        t.diagnostic(`${held} of ${sent} bytes held in the client`);
        assert.ok(held > sent / 2, `the server read on: ${held} of ${sent} bytes still unsent`);
        assert.equal(completions.length, 0, "the lane was free");
        assert.equal(ws.extensions, "", "the host negotiated a WebSocket extension");

        // Meanwhile the container serves everyone else: the paused WebSocket holds no thread that
        // other connections need (Undertow delivers messages on its few I/O threads, each serving
        // many connections: holding one there would stop the connections it serves).
        const others = Array.from({ length: 4 }, () => connect(server.url, { transport: "WebSockets" }));
        const served = (async () => {
          await Promise.all(others.map((c) => c.start()));
          return Promise.all(others.map((c) => c.invoke("Echo", "beside the flood")));
        })();
        let timer;
        const echoes = await Promise.race([
          served,
          new Promise((_, rej) => {
            timer = setTimeout(() => rej(new Error("other connections were not served beside the paused one")), 8000);
          }),
        ]).finally(() => clearTimeout(timer));
        assert.deepEqual(echoes, others.map(() => "beside the flood"));
        // Served while the flooding connection was still paused (no Echo of it completed yet), not
        // once it resumed (a held Undertow I/O thread serves nothing else until then).
        assert.equal(completions.length, 0, "the other connections were served only once the paused one resumed");
        await Promise.all(others.map((c) => c.stop()));

        // The Ask times out (6 s; an answer would wait behind the flood), the lane drains, reading
        // resumes: nothing lost, in order, not closed.
        await waitFor(() => completions.length === N || close !== null, 60000, "every Echo completion");
        assert.equal(close, null, "the connection was closed: " + JSON.stringify(close));
        completions.forEach((c, i) => assert.equal(c, `e${i} ${`${i}:`.length + payload.length}`));
      } finally {
        ws.terminate();
      }
    });
  });
}
