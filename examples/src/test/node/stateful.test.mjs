// Stateful reconnect with the official client through a TCP proxy that cuts the connection.
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import * as signalR from "@microsoft/signalr";
import { startTcpProxy } from "../../../../chat-test-support/src/main/node/tcp-proxy.mjs";
import { startTour, connect, waitFor } from "./support.mjs";

describe("stateful reconnect", () => {
  let tour;
  let proxy;
  after(async () => {
    await proxy?.close();
    await tour?.stop();
  });

  for (const protocol of ["json", "messagepack"]) {
    it(`${protocol}: every message arrives exactly once, in order, on the same connection`, async () => {
      tour ??= await startTour();
      proxy ??= await startTcpProxy(tour.port);
      const receiver = connect(`http://127.0.0.1:${proxy.port}/hubs/tour`, {
        transport: "WebSockets",
        protocol,
        stateful: true,
      });
      const got = [];
      let reconnecting = false;
      let closed = false;
      receiver.on("Broadcasted", (m) => {
        got.push(m);
      });
      receiver.onreconnecting(() => (reconnecting = true));
      receiver.onclose(() => (closed = true));
      await receiver.start();
      const id = receiver.connectionId;

      const sender = connect(tour.url, { transport: "WebSockets", protocol });
      sender.on("Broadcasted", () => {});
      await sender.start();
      const total = 600;
      const expected = [];
      for (let i = 0; i < total; i++) {
        const text = `${protocol}-${i}`;
        expected.push(text);
        await sender.send("Broadcast", text);
        if (i === 100 || i === 350) proxy.cut();
      }
      await waitFor(() => got.length >= total || closed, 20000, `${total} messages (got ${got.length})`);
      assert.equal(closed, false, "the receiver's connection closed");
      assert.equal(reconnecting, false, "a stateful reconnect is invisible to the application");
      assert.equal(got.length, total);
      assert.deepEqual(got, expected);
      assert.equal(receiver.connectionId, id);
      assert.equal(await receiver.invoke("Echo", "same connection"), "same connection");
      await sender.stop();
      await receiver.stop();
    });
  }

  it("past the buffer limit while disconnected, the connection ends and automatic reconnect starts a new one", async () => {
    const small = await startTour({ TOUR_STATEFUL_BUFFER_BYTES: "2000" });
    const p = await startTcpProxy(small.port);
    try {
      const observer = connect(small.url, { transport: "WebSockets" });
      const gone = [];
      observer.on("Disconnected", (cid) => {
        gone.push(cid);
      });
      observer.on("Broadcasted", () => {});
      await observer.start();
      await observer.invoke("ObserveDisconnects");

      const receiver = connect(`http://127.0.0.1:${p.port}/hubs/tour`, {
        transport: "WebSockets",
        stateful: true,
        configure: (b) => b.withAutomaticReconnect([0, 100, 200, 500, 1000]),
      });
      receiver.on("Broadcasted", () => {});
      let reconnectedId = null;
      receiver.onreconnected((newId) => (reconnectedId = newId));
      await receiver.start();
      const oldId = receiver.connectionId;

      p.hold();
      p.cut();
      for (let i = 0; i < 50; i++) await observer.send("Broadcast", "x".repeat(100));
      await waitFor(() => gone.includes(oldId), 10000, "the overflowing connection to end");
      p.release();
      await waitFor(() => reconnectedId !== null, 15000, "automatic reconnect");
      assert.notEqual(reconnectedId, oldId);
      assert.equal(receiver.state, signalR.HubConnectionState.Connected);
      assert.equal(await receiver.invoke("Echo", "new connection"), "new connection");
      await receiver.stop();
      await observer.stop();
    } finally {
      await p.close();
      await small.stop();
    }
  });
});
