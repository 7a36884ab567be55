// Connection life with the official client: keep-alive, bad frames, transport fallback,
// disconnect cleanup.
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import * as signalR from "@microsoft/signalr";
import WebSocket from "ws";
import { startTour, connect, waitFor } from "./support.mjs";

const RS = "\u001e";

describe("keep-alive", () => {
  let tour;
  after(async () => tour?.stop());

  it("an idle connection stays up over 2x the client timeout", async () => {
    tour = await startTour({ TOUR_KEEPALIVE_MS: "300", TOUR_CLIENT_TIMEOUT_MS: "1000" });
    const c = connect(tour.url, {
      transport: "WebSockets",
      configure: (b) => b.withKeepAliveInterval(300).withServerTimeout(2000),
    });
    let closed = null;
    c.onclose((e) => (closed = e ?? "closed"));
    await c.start();
    const idleUntil = Date.now() + 2500;
    await waitFor(() => Date.now() >= idleUntil || closed !== null, 5000, "idle period");
    assert.equal(closed, null, "the connection closed while idle");
    assert.equal(c.state, signalR.HubConnectionState.Connected);
    assert.equal(await c.invoke("Echo", "alive"), "alive");
    await c.stop();
  });
});

describe("bad frames", () => {
  let tour;
  after(async () => tour?.stop());

  it("a raw WebSocket sending garbage gets a Close with a reason; others keep working", async () => {
    tour = await startTour();
    const good = connect(tour.url, { transport: "WebSockets" });
    await good.start();

    const cases = [
      '{"type":1,"target":' + RS, // malformed JSON
      '{"type":1,"invocationId":"1","arguments":[]}' + RS, // no target
      '{"type":"one"}' + RS, // wrong type of field
      "x".repeat(40000), // no separator beyond the max message size
    ];
    for (const bad of cases) {
      const ws = new WebSocket(tour.url.replace("http", "ws"));
      const frames = [];
      const closed = new Promise((resolve) => ws.on("close", (code) => resolve(code)));
      ws.on("message", (d) => frames.push(d.toString()));
      await new Promise((r, j) => ws.on("open", r).on("error", j));
      ws.send('{"protocol":"json","version":1}' + RS);
      await waitFor(() => frames.join("").includes("{}" + RS), 5000, "handshake response");
      ws.send(bad);
      const code = await closed;
      const all = frames.join("");
      assert.match(all, /\{"type":7,"error":"Connection closed with an error\.[^"]*","allowReconnect":true\}/, `for ${bad.slice(0, 30)}`);
      assert.equal(code, 1000);
    }
    assert.equal(await good.invoke("Echo", "unaffected"), "unaffected");
    await good.stop();
  });

  it("an unknown protocol in the handshake gets a handshake error", async () => {
    const ws = new WebSocket(tour.url.replace("http", "ws"));
    const frames = [];
    ws.on("message", (d) => frames.push(d.toString()));
    const closed = new Promise((resolve) => ws.on("close", resolve));
    await new Promise((r) => ws.on("open", r));
    ws.send('{"protocol":"xml","version":1}' + RS);
    await closed;
    assert.equal(frames.join(""), '{"error":"The protocol \'xml\' is not supported."}' + RS);
  });
});

describe("transport fallback", () => {
  let tour;
  after(async () => tour?.stop());

  it("falls back to Server-Sent Events, then Long Polling, when WebSockets are disabled", async () => {
    tour = await startTour({ TOUR_TRANSPORTS: "ServerSentEvents,LongPolling" });
    const c = connect(tour.url); // no transport option: the client picks from negotiate
    await c.start();
    assert.equal(c.connection.transport.constructor.name, "ServerSentEventsTransport");
    assert.equal(await c.invoke("Add", 1, 2), 3);
    await c.stop();

    const m = connect(tour.url, { protocol: "messagepack" }); // binary: SSE is skipped
    await m.start();
    assert.equal(m.connection.transport.constructor.name, "LongPollingTransport");
    assert.equal(await m.invoke("Echo", "binary"), "binary");
    await m.stop();
  });
});

describe("disconnect cleanup", () => {
  let tour;
  after(async () => tour?.stop());

  it("a long-poll client that vanishes is cleaned up after the disconnect timeout", async () => {
    tour = await startTour({ TOUR_DISCONNECT_TIMEOUT_MS: "1500" });
    const observer = connect(tour.url, { transport: "WebSockets" });
    const gone = [];
    observer.on("Disconnected", (id) => {
      gone.push(id);
    });
    await observer.start();
    await observer.invoke("ObserveDisconnects");

    // A long-polling client done by hand: negotiate, first poll, handshake, one poll, then silence.
    const neg = await (await fetch(tour.url + "/negotiate?negotiateVersion=1", { method: "POST" })).json();
    const base = `${tour.url}?id=${neg.connectionToken}`;
    assert.equal((await fetch(base)).status, 200);
    assert.equal((await fetch(base, { method: "POST", body: '{"protocol":"json","version":1}' + RS })).status, 200);
    const poll = await fetch(base);
    assert.equal(await poll.text(), "{}" + RS);
    const vanishedAt = Date.now();
    await waitFor(() => gone.includes(neg.connectionId), 10000, "Disconnected for the vanished client");
    assert.ok(Date.now() - vanishedAt >= 1000, "cleaned up before the disconnect timeout");
    assert.equal((await fetch(base)).status, 404);
    await observer.stop();
  });
});
