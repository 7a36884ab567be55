// No lost deliveries across instances with unchanged clients: the official @microsoft/signalr client
// with no helper (no chat-recovery.mjs), two chat-server instances sharing PostgreSQL and Redis.
// - Redis cut for a few seconds (through a TCP proxy both instances use; the shared Redis keeps
//   running) while clients on both instances send: every client that stayed connected gets every
//   acknowledged message, once, in seq order (the backplane's stream mode, the default).
// - The same with REDIS_BACKPLANE_REPLAY=0 (pub/sub): the backplane loses messages (its /health
//   says so), and each connection is still given every one, from the store, in order.
// - Beyond the bound (a tiny REDIS_BACKPLANE_REPLAY): /health's backplane entry says how many were
//   lost.
// - SIGKILL of the instance a client is on: the client reconnects through a round-robin proxy to the
//   other one with `lastSeq` on the hub URL (set before each reconnect, as chat-recovery.mjs does)
//   and is given every message it missed, once, in order; the control without lastSeq misses them.
// Fails (never skips) without Redis or PostgreSQL.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startTcpProxy } from '../../../../chat-test-support/src/main/node/tcp-proxy.mjs';
import { startServer, stopServer, devToken, createRoom, connect, waitUntil, DATABASE_URL, psql } from './helpers.mjs';

const REDIS = new URL(process.env.REDIS_URL || 'redis://127.0.0.1:6379');
const schemas = [];
const cleanups = [];

after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
  for (const s of schemas) psql(`set client_min_messages = warning; drop schema if exists ${s} cascade`);
});

/** Two instances whose Redis is reached through one proxy (cut it: Redis is down for both). */
async function twoInstances(extraEnv = {}) {
  const redisProxy = await startTcpProxy(Number(REDIS.port || 6379));
  cleanups.push(() => redisProxy.close());
  const schema = 'chat_lossless_it_' + randomBytes(4).toString('hex');
  schemas.push(schema);
  const env = {
    DATABASE_URL,
    DB_SCHEMA: schema,
    DB_STARTUP_TIMEOUT: '5s',
    JWT_SECRET: randomBytes(32).toString('hex'),
    REDIS_URL: `redis://127.0.0.1:${redisProxy.port}${REDIS.pathname || ''}`,
    ...extraEnv,
  };
  const a = await startServer({ ...env, CHAT_INSTANCE_ID: 'instance-a' });
  cleanups.push(() => stopServer(a));
  const b = await startServer({ ...env, CHAT_INSTANCE_ID: 'instance-b' });
  cleanups.push(() => stopServer(b));
  return { a, b, redisProxy };
}

async function health(url) {
  const res = await fetch(url + '/health');
  return res.json();
}

/** `n` users, alternately on a and b, in one room; each a plain official client. */
async function clients(a, b, n, name) {
  const owner = await devToken(a.url, 'owner', 'Owner');
  const room = await createRoom(a.url, owner, name);
  const list = [];
  for (let i = 0; i < n; i++) {
    const url = i % 2 === 0 ? a.url : b.url;
    const token = await devToken(url, `user${i}`, `User ${i}`);
    const c = await connect(url, token, { transport: ['WebSockets', 'ServerSentEvents', 'LongPolling'][i % 3] });
    cleanups.push(() => c.stop());
    let closed = false;
    c.onclose(() => (closed = true));
    c.stayedConnected = () => !closed && c.state === 'Connected';
    await c.invoke('JoinRoom', room.id);
    list.push(c);
  }
  return { room, list };
}

/** Every client sends in turn every `everyMs` until `stop()`; resolves with what was acknowledged. */
function sendLoop(list, room, everyMs) {
  const acked = [];
  let running = true;
  let i = 0;
  const done = (async () => {
    while (running) {
      const c = list[i % list.length];
      const n = i++;
      c.invoke('SendMessage', room.id, `m${n}`).then((m) => acked.push(m), () => {});
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    acked,
    async stop() {
      running = false;
      await done;
      await new Promise((r) => setTimeout(r, 500)); // the last acknowledgements
    },
  };
}

/** What each client got of the acknowledged messages: missed, duplicates, out of seq order. */
function tally(list, acked) {
  const ids = new Set(acked.map((m) => m.id));
  return list.map((c) => {
    const got = c.received('ReceiveMessage').filter((m) => ids.has(m.id));
    const seen = new Set();
    let duplicates = 0;
    let outOfOrder = 0;
    let last = 0;
    for (const m of got) {
      if (seen.has(m.id)) duplicates++;
      seen.add(m.id);
      if (m.seq <= last) outOfOrder++;
      last = Math.max(last, m.seq);
    }
    return { missed: ids.size - seen.size, duplicates, outOfOrder };
  });
}

async function outage(redisProxy, ms) {
  redisProxy.hold();
  redisProxy.cut();
  await new Promise((r) => setTimeout(r, ms));
  redisProxy.release();
}

test('Redis cut for 4 s while clients on both instances send: 0 missed, 0 duplicates, 0 out of order', { timeout: 120_000 }, async () => {
  const { a, b, redisProxy } = await twoInstances();
  assert.match((await health(a.url)).entries?.backplane?.detail ?? JSON.stringify(await health(a.url)), /stream mode/);
  const { room, list } = await clients(a, b, 6, 'outage');
  const loop = sendLoop(list, room, 40);
  await new Promise((r) => setTimeout(r, 1500));
  await outage(redisProxy, 4000);
  await new Promise((r) => setTimeout(r, 1500));
  await loop.stop();
  assert.ok(loop.acked.length > 100, `enough traffic: ${loop.acked.length}`);
  const stayed = list.filter((c) => c.stayedConnected());
  assert.equal(stayed.length, list.length, 'every client stayed connected (only Redis was cut)');
  let t;
  await waitUntil(() => (t = tally(stayed, loop.acked)).every((x) => x.missed === 0), 30_000, 'every message delivered').catch(() => {});
  assert.deepEqual(t, stayed.map(() => ({ missed: 0, duplicates: 0, outOfOrder: 0 })));
  const detail = JSON.stringify(await health(b.url));
  assert.match(detail, /none lost/);
});

test('with REDIS_BACKPLANE_REPLAY=0 (pub/sub) the backplane loses messages, and the instances fill them from the store: still 0 missed', { timeout: 120_000 }, async () => {
  const { a, b, redisProxy } = await twoInstances({ REDIS_BACKPLANE_REPLAY: '0' });
  assert.match(JSON.stringify(await health(a.url)), /pub\/sub/);
  const { room, list } = await clients(a, b, 4, 'pubsub outage');
  const loop = sendLoop(list, room, 40);
  await new Promise((r) => setTimeout(r, 1000));
  await outage(redisProxy, 3000);
  await new Promise((r) => setTimeout(r, 2000));
  await loop.stop();
  // The loss was real: publishes failed while Redis was cut (at-most-once)...
  const lost = JSON.stringify(await health(a.url)) + JSON.stringify(await health(b.url));
  assert.match(lost, /publishes lost while unreachable/);
  // ...and each connection was given them from the store when the next message showed the gap.
  let t;
  await waitUntil(() => (t = tally(list, loop.acked)).every((x) => x.missed === 0), 30_000, 'every message delivered').catch(() => {});
  assert.deepEqual(t, list.map(() => ({ missed: 0, duplicates: 0, outOfOrder: 0 })));
});

test('an outage longer than the bound: the loss is counted and /health says so', { timeout: 120_000 }, async () => {
  const { a, b, redisProxy } = await twoInstances({ REDIS_BACKPLANE_REPLAY: '20' });
  const { room, list } = await clients(a, b, 2, 'beyond the bound');
  const [onA] = list;
  await waitUntil(async () => JSON.stringify(await health(a.url)).includes('connected'), 10_000);
  redisProxy.hold();
  redisProxy.cut();
  for (let i = 0; i < 60; i++) await onA.invoke('SendMessage', room.id, `m${i}`);
  redisProxy.release();
  await waitUntil(async () => /messages lost beyond that bound/.test(JSON.stringify(await health(a.url))), 20_000, '/health of a reports the loss');
  const entry = JSON.stringify(await health(a.url));
  assert.match(entry, /40 messages lost beyond that bound/);
  await waitUntil(async () => /messages lost beyond that bound/.test(JSON.stringify(await health(b.url))), 20_000, '/health of b reports the loss');
});

test('SIGKILL of the receiver\'s instance: the reconnect carries lastSeq and the other instance gives what was missed, once, in order', { timeout: 180_000 }, async () => {
  const { withQueryParameter } = await import('../../main/resources/static/js/chat-recovery.mjs');
  const schema = 'chat_lossless_it_' + randomBytes(4).toString('hex');
  schemas.push(schema);
  const env = {
    DATABASE_URL,
    DB_SCHEMA: schema,
    DB_STARTUP_TIMEOUT: '5s',
    JWT_SECRET: randomBytes(32).toString('hex'),
    REDIS_URL: REDIS.href,
    CHAT_INSTANCE_URL: 'http://127.0.0.1:0',
  };
  const a = await startServer({ ...env, CHAT_INSTANCE_ID: 'instance-a' });
  cleanups.push(() => stopServer(a));
  const b = await startServer({ ...env, CHAT_INSTANCE_ID: 'instance-b' });
  cleanups.push(() => stopServer(b));
  const sockets = [];
  const proxy = await startTcpProxy(
    [a, b].map((s, i) => ({ name: 'ab'[i], port: Number(new URL(s.url).port) })),
    {
      onConnection({ target, client }) {
        client.on('data', (d) => {
          if (/^GET \/hubs\/chat\?/m.test(d.toString('latin1'))) sockets.push(target.name);
        });
      },
    },
  );
  cleanups.push(() => proxy.close());
  const alice = await devToken(a.url, 'alice', 'Alice');
  const bob = await devToken(a.url, 'bob', 'Bob');
  const room = await createRoom(a.url, alice, 'Killed instance');

  // The official client, no helper: only the URL's lastSeq is updated before each reconnect.
  const { signalR } = await import('./helpers.mjs');
  const receiver = new signalR.HubConnectionBuilder()
    .withUrl(proxy.url + '/hubs/chat', { accessTokenFactory: () => bob, transport: signalR.HttpTransportType.WebSockets })
    .withAutomaticReconnect({ nextRetryDelayInMilliseconds: () => 300 })
    .configureLogging(signalR.LogLevel.None)
    .build();
  cleanups.push(() => receiver.stop());
  const got = [];
  let reconnected = 0;
  receiver.on('ReceiveMessage', (m) => got.push(m));
  receiver.onreconnecting(() => {
    const last = got.filter((m) => m.roomId === room.id).reduce((x, m) => Math.max(x, m.seq), 0);
    receiver.baseUrl = withQueryParameter(receiver.baseUrl, 'lastSeq', `${room.id}:${last}`);
  });
  receiver.onreconnected(() => reconnected++);
  await receiver.start();
  await receiver.invoke('JoinRoom', room.id);
  const victim = { a, b }[sockets.at(-1)];
  const survivor = victim === a ? b : a;

  const sender = await connect(survivor.url, alice);
  cleanups.push(() => sender.stop());
  await sender.invoke('JoinRoom', room.id);
  const sent = [];
  const send = async (from, n) => {
    for (let i = from; i < from + n; i++) sent.push(await sender.invoke('SendMessage', room.id, `m${i}`));
  };
  await send(0, 10);
  await waitUntil(() => got.length === 10, 10_000, 'the first ten');
  proxy.hold(); // the receiver stays out until the survivor stored more
  victim.child.kill('SIGKILL');
  await victim.exited;
  await send(10, 30); // sent while the receiver has no connection
  proxy.release();
  await waitUntil(() => reconnected >= 1, 30_000, 'the receiver reconnected');
  await send(40, 10);
  await waitUntil(() => got.length >= sent.length, 30_000, `${got.length} of ${sent.length}`);
  await new Promise((r) => setTimeout(r, 300)); // duplicates, if any, would arrive now
  assert.deepEqual(got.map((m) => m.seq), sent.map((_, i) => i + 1), 'every message once, in seq order');
  assert.deepEqual(got.map((m) => m.id), sent.map((m) => m.id));
  assert.equal(sockets.at(-1), survivor === a ? 'a' : 'b', 'reconnected to the survivor');
});

test('an unchanged client without lastSeq: after a lost connection it gets only what is sent once it is back', { timeout: 180_000 }, async () => {
  const schema = 'chat_lossless_it_' + randomBytes(4).toString('hex');
  schemas.push(schema);
  const env = {
    DATABASE_URL,
    DB_SCHEMA: schema,
    DB_STARTUP_TIMEOUT: '5s',
    JWT_SECRET: randomBytes(32).toString('hex'),
    REDIS_URL: REDIS.href,
    CHAT_INSTANCE_URL: 'http://127.0.0.1:0',
  };
  const a = await startServer({ ...env, CHAT_INSTANCE_ID: 'instance-a' });
  cleanups.push(() => stopServer(a));
  const b = await startServer({ ...env, CHAT_INSTANCE_ID: 'instance-b' });
  cleanups.push(() => stopServer(b));
  const alice = await devToken(a.url, 'alice', 'Alice');
  const bob = await devToken(a.url, 'bob', 'Bob');
  const room = await createRoom(a.url, alice, 'Killed instance, plain client');
  const proxy = await startTcpProxy([Number(new URL(a.url).port), Number(new URL(b.url).port)]);
  cleanups.push(() => proxy.close());
  const receiver = await connect(proxy.url, bob, { transport: 'WebSockets', reconnect: true });
  cleanups.push(() => receiver.stop());
  await receiver.invoke('JoinRoom', room.id);
  let reconnected = 0;
  receiver.onreconnected(() => reconnected++);
  const sender = await connect(a.url, alice);
  cleanups.push(() => sender.stop());
  await sender.invoke('JoinRoom', room.id);
  await sender.invoke('SendMessage', room.id, 'before');
  await receiver.waitFor('ReceiveMessage', (m) => m.content === 'before');
  // The receiver's connection is lost (as when its instance dies) and comes back without lastSeq.
  proxy.hold();
  proxy.cut();
  await sender.invoke('SendMessage', room.id, 'while away');
  proxy.release();
  await waitUntil(() => reconnected >= 1, 30_000, 'reconnected');
  await sender.invoke('SendMessage', room.id, 'after');
  await receiver.waitFor('ReceiveMessage', (m) => m.content === 'after');
  const contents = receiver.received('ReceiveMessage').map((m) => m.content);
  assert.deepEqual(contents, ['before', 'after'], 'without lastSeq the message sent while away is not given (history: GET …/messages?after=)');
});
