// The official @microsoft/signalr client against the feature tour: every method, every
// transport and protocol the client supports.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import * as signalR from "@microsoft/signalr";
import { startTour, connect, waitFor, COMBINATIONS } from "./support.mjs";

let tour;
before(async () => {
  tour = await startTour();
});
after(async () => {
  await tour?.stop();
});

for (const [transport, protocol] of COMBINATIONS) {
  describe(`${transport} + ${protocol}`, () => {
    let c;
    before(async () => {
      c = connect(tour.url, { transport, protocol });
      c.on("Ask", (q) => `answer to ${q}`);
      await c.start();
      assert.equal(c.state, signalR.HubConnectionState.Connected);
      assert.match(c.connectionId, /^[A-Za-z0-9_-]{22}$/);
    });
    after(async () => {
      await c?.stop();
    });

    it("Echo returns its argument, Unicode intact", async () => {
      const text = "héllo 😀 \u001e \"quoted\" <tag>";
      assert.equal(await c.invoke("Echo", text), text);
    });

    it("Add returns the sum", async () => {
      assert.equal(await c.invoke("Add", 40, 2), 42);
      assert.equal(await c.invoke("add", -5, 3), -2, "method names are case-insensitive");
    });

    it("Counter streams 0..count-1 then completes", async () => {
      const items = [];
      await new Promise((resolve, reject) =>
        c.stream("Counter", 5, 5).subscribe({ next: (i) => items.push(i), complete: resolve, error: reject }),
      );
      assert.deepEqual(items, [0, 1, 2, 3, 4]);
    });

    it("cancelling Counter midway stops the server producing", async () => {
      const items = [];
      let sub;
      await new Promise((resolve, reject) => {
        sub = c.stream("Counter", 1000, 20).subscribe({
          next: (i) => {
            items.push(i);
            if (items.length === 3) resolve();
          },
          complete: () => reject(new Error("completed before cancel")),
          error: reject,
        });
      });
      sub.dispose();
      const afterCancel = await c.invoke("CounterProduced");
      // Over 15 more intervals the producer must not advance past what was in flight.
      let last = afterCancel;
      for (let i = 0; i < 15; i++) {
        await new Promise((r) => setTimeout(r, 20));
        last = await c.invoke("CounterProduced");
      }
      assert.ok(last - afterCancel <= 1, `producer kept going: ${afterCancel} -> ${last}`);
      assert.ok(last < 100, `produced ${last} items of 1000`);
    });

    it("Sum adds a client-to-server stream", async () => {
      const subject = new signalR.Subject();
      const result = c.invoke("Sum", subject);
      for (let i = 1; i <= 100; i++) subject.next(i);
      subject.complete();
      assert.equal(await result, 5050);
    });

    it("AskClient gets the client's result", async () => {
      assert.equal(await c.invoke("AskClient", "why?"), "answer to why?");
    });

    it("Broadcast reaches every connection", async () => {
      const other = connect(tour.url, { transport, protocol });
      const got = [];
      const mine = [];
      other.on("Broadcasted", (m) => {
        got.push(m);
      });
      c.on("Broadcasted", (m) => {
        mine.push(m);
      });
      await other.start();
      try {
        await c.invoke("Broadcast", "to everyone");
        await waitFor(() => got.includes("to everyone") && mine.includes("to everyone"), 5000, "broadcast");
      } finally {
        c.off("Broadcasted");
        await other.stop();
      }
    });

    it("Fail completes with a readable error and the connection stays", async () => {
      await assert.rejects(c.invoke("Fail"), /An unexpected error occurred invoking 'Fail' on the server\. HubException: This method always fails\./);
      await assert.rejects(c.invoke("Add", "x", 1), /Failed to invoke 'Add' due to an error on the server/);
      await assert.rejects(c.invoke("NoSuchMethod"), /Unknown hub method 'NoSuchMethod'/);
      assert.equal(await c.invoke("Echo", "still here"), "still here");
    });

    it("send (non-blocking) runs the method without a completion", async () => {
      const got = [];
      c.on("Broadcasted", (m) => {
        got.push(m);
      });
      try {
        await c.send("Broadcast", "fire and forget");
        await waitFor(() => got.includes("fire and forget"), 5000, "broadcast from send");
      } finally {
        c.off("Broadcasted");
      }
    });
  });
}
