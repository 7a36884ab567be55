// The abuse suite on the protocol feature tour (issue #27, finding 2; the reliability issue's abuse
// suite grows from here and from chat-server/src/test/node/abuse.test.mjs): a client that keeps
// invoking while its invocations cannot run. Before the fix every parsed invocation was queued
// (one unanswered AskClient + 8,000 x 30 KB Echo took the heap from 7 MB to 240 MB); now a
// connection's queue is bounded (count and bytes), reading stops at the bound on every transport,
// and bytes sent past it without waiting close the connection with a reason.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTour, connect, waitFor } from "./support.mjs";

const RS = "\u001e";
const BOUND = 16; // TOUR_MAX_QUEUED_INVOCATIONS
const BOUND_BYTES = 65536; // TOUR_MAX_QUEUED_INVOCATION_BYTES
const RESULT_TIMEOUT_MS = 3000; // TOUR_CLIENT_RESULT_TIMEOUT_MS: how long AskClient holds the lane

let tour;
before(async () => {
  tour = await startTour({
    TOUR_MAX_QUEUED_INVOCATIONS: String(BOUND),
    TOUR_MAX_QUEUED_INVOCATION_BYTES: String(BOUND_BYTES),
    TOUR_CLIENT_RESULT_TIMEOUT_MS: String(RESULT_TIMEOUT_MS),
  });
});
after(async () => tour?.stop());

const invocation = (id, target, ...args) => JSON.stringify({ type: 1, invocationId: id, target, arguments: args }) + RS;

/** Every complete message in `text`, parsed. */
const messages = (text) => text.split(RS).filter((m) => m.length > 0).map((m) => JSON.parse(m));

/**
 * A long-polling or SSE connection driven by hand: negotiate, the receiving side (a poll loop or
 * the event stream), the handshake. `send(text)` POSTs and resolves with the response.
 */
async function httpConnection(transport) {
  const neg = await (await fetch(tour.url + "/negotiate?negotiateVersion=1", { method: "POST" })).json();
  const base = `${tour.url}?id=${neg.connectionToken}`;
  const conn = { text: "", stopped: false, send: (body) => fetch(base, { method: "POST", body }) };
  if (transport === "LongPolling") {
    assert.equal((await fetch(base)).status, 200); // the first poll answers at once
    (async () => {
      while (!conn.stopped) {
        const r = await fetch(base).catch(() => null);
        if (!r || r.status !== 200) break;
        conn.text += await r.text();
      }
    })();
  } else {
    const r = await fetch(base, { headers: { Accept: "text/event-stream" } });
    assert.equal(r.status, 200);
    const decoder = new TextDecoder();
    let pending = "";
    (async () => {
      try {
        for await (const chunk of r.body) {
          pending += decoder.decode(chunk, { stream: true });
          let end;
          while ((end = pending.indexOf("\r\n\r\n")) >= 0 || (end = pending.indexOf("\n\n")) >= 0) {
            const event = pending.slice(0, end);
            pending = pending.slice(end + (pending.startsWith("\r\n\r\n", end) ? 4 : 2));
            for (const line of event.split(/\r?\n/)) if (line.startsWith("data: ")) conn.text += line.slice(6);
          }
        }
      } catch {
        // the stream ends with the connection
      }
    })();
  }
  assert.equal((await conn.send('{"protocol":"json","version":1}' + RS)).status, 200);
  await waitFor(() => conn.text.startsWith("{}" + RS), 5000, "the handshake response");
  conn.text = conn.text.slice(3);
  conn.stop = () => {
    conn.stopped = true;
    return fetch(base, { method: "DELETE" }).catch(() => {});
  };
  return conn;
}

/** Starts AskClient and waits for the server's Ask: the connection's lane is now busy. */
async function blockTheLane(conn) {
  await conn.send(invocation("ask", "AskClient", "are you there?"));
  await waitFor(() => messages(conn.text).some((m) => m.type === 1 && m.target === "Ask"), 5000, "the Ask");
}

/** Resolves with the elapsed ms when `p` settles first, or null after `ms`. */
function within(p, ms) {
  const start = Date.now();
  let timer;
  return Promise.race([
    p.then(() => Date.now() - start),
    new Promise((res) => (timer = setTimeout(() => res(null), ms))),
  ]).finally(() => clearTimeout(timer));
}

describe("#27.2 the invocation queue is bounded, with back-pressure, on every transport", () => {
  for (const transport of ["WebSockets", "ServerSentEvents", "LongPolling"]) {
    it(`${transport}: the official client flooding a blocked connection is slowed, not closed, and loses nothing`, async () => {
      const c = connect(tour.url, { transport });
      c.on("Ask", () => new Promise(() => {})); // never answered: AskClient holds the lane until its timeout
      let closed = null;
      c.onclose((e) => (closed = e ?? "closed"));
      await c.start();
      const ask = c.invoke("AskClient", "q").then(() => "answered", (e) => e.message);
      const payload = "x".repeat(2000);
      const n = 6 * BOUND;
      const echoes = [];
      for (let i = 0; i < n; i++) echoes.push(c.invoke("Echo", `${i}:${payload}`));
      const results = await Promise.all(echoes);
      results.forEach((r, i) => assert.equal(r, `${i}:${payload}`));
      assert.doesNotMatch(await ask, /^answered$/);
      assert.equal(closed, null);
      assert.equal(await c.invoke("Add", 2, 3), 5);
      await c.stop();
    });
  }

  for (const transport of ["ServerSentEvents", "LongPolling"]) {
    it(`${transport}: a POST past the bound is answered only once its invocations were taken in`, async () => {
      const conn = await httpConnection(transport);
      try {
        await blockTheLane(conn);
        let body = "";
        for (let i = 0; i < 3 * BOUND; i++) body += invocation(`e${i}`, "Echo", `${i}`);
        const post = conn.send(body);
        assert.equal(await within(post, 1000), null, "the POST was answered while the queue was full");
        // The Ask times out, the lane drains, the rest is parsed and the POST answered.
        assert.ok((await within(post, RESULT_TIMEOUT_MS + 10000)) !== null, "the POST was never answered");
        assert.equal((await post).status, 200);
        await waitFor(() => messages(conn.text).filter((m) => m.type === 3 && m.invocationId.startsWith("e")).length === 3 * BOUND,
          10000, "every Echo completion");
        assert.ok(!messages(conn.text).some((m) => m.type === 7), "the connection was closed");
      } finally {
        await conn.stop();
      }
    });

    it(`${transport}: bytes sent past twice the bound without waiting close the connection with a reason`, async () => {
      const conn = await httpConnection(transport);
      try {
        await blockTheLane(conn);
        let body = "";
        for (let i = 0; i < 100; i++) body += invocation(`e${i}`, "Echo", "z".repeat(1000));
        // Three POSTs at once (the official clients send one at a time and wait for its answer).
        await Promise.all([conn.send(body), conn.send(body), conn.send(body)]);
        await waitFor(() => messages(conn.text).some((m) => m.type === 7), 10000, "a Close message");
        const close = messages(conn.text).find((m) => m.type === 7);
        assert.match(close.error, /^Connection closed with an error\. Too many invocations are waiting: at most 16 invocations or 65536 bytes/);
        assert.notEqual(close.allowReconnect, true);
      } finally {
        await conn.stop();
      }
    });
  }
});

describe("#27.7 binding errors", () => {
  it("a bad argument gets ASP.NET Core's message, without the binder's Java text", async () => {
    const c = connect(tour.url, { transport: "WebSockets" });
    await c.start();
    await assert.rejects(c.invoke("Add", "x", 1), (e) => {
      assert.match(e.message, /Failed to invoke 'Add' due to an error on the server\.$/);
      assert.doesNotMatch(e.message, /InvalidDataException|java|Cannot deserialize|jackson/i);
      return true;
    });
    assert.equal(await c.invoke("Add", 1, 2), 3);
    await c.stop();
  });
});
