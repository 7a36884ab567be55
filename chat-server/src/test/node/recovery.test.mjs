// Gap-free delivery with the official @microsoft/signalr client and the page's helper
// (static/js/chat-recovery.mjs): under each kind of loss, a receiver that follows a room shows every
// message of it exactly once and in seq order, while a sender keeps writing through the outage.
// - a connection cut longer than the stateful-reconnect buffer (WebSockets, withStatefulReconnect);
// - Server-Sent Events and long polling, cut and held (no stateful reconnect there);
// - a server restart (same database, same port, the receiver held out until the sender wrote more);
// - two instances behind a round-robin proxy, the receiver's instance killed (kill -9).
// Each case also checks that the loss was real: the receiver reconnected and the helper had to
// fetch messages it had not received over the hub.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { startTcpProxy } from '../../../../chat-test-support/src/main/node/tcp-proxy.mjs';
import { RoomRecovery } from '../../main/resources/static/js/chat-recovery.mjs';
import { signalR, startServer, stopServer, devToken, createRoom, connect, waitUntil, DATABASE_URL, psql } from './helpers.mjs';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const schemas = [];
const cleanups = [];

after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
  for (const s of schemas) psql(`set client_min_messages = warning; drop schema if exists ${s} cascade`);
});


function sharedStoreEnv() {
  const schema = 'chat_recovery_it_' + randomBytes(4).toString('hex');
  schemas.push(schema);
  return { DATABASE_URL, DB_SCHEMA: schema, DB_STARTUP_TIMEOUT: '5s', JWT_SECRET: randomBytes(32).toString('hex') };
}

async function freePort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

async function server(env) {
  const s = await startServer(env);
  cleanups.push(() => stopServer(s));
  return s;
}

async function proxyTo(targets) {
  const p = await startTcpProxy(targets);
  cleanups.push(() => p.close());
  return p;
}

/**
 * A receiver through `url`: the official client with automatic reconnect (retrying every 300 ms,
 * never giving up) and the recovery helper following `room` from seq 0. Records what it shows, how
 * often it reconnected and how many messages the helper fetched.
 */
async function receiver(url, token, room, options = {}) {
  const builder = new signalR.HubConnectionBuilder()
    .withUrl(url + '/hubs/chat', {
      accessTokenFactory: () => token,
      transport: options.transport ? signalR.HttpTransportType[options.transport] : undefined,
    })
    .withAutomaticReconnect({ nextRetryDelayInMilliseconds: () => 300 })
    .configureLogging(signalR.LogLevel.None);
  if (options.stateful) builder.withStatefulReconnect();
  const connection = builder.build();
  const r = { connection, shown: [], reconnected: 0, fetched: 0, errors: [] };
  connection.onreconnected(() => r.reconnected++);
  r.recovery = new RoomRecovery(connection, {
    baseUrl: url,
    accessTokenFactory: () => token,
    onMessage: (m) => r.shown.push(m),
    onError: (e) => r.errors.push(String(e)),
  });
  const fetchAfter = r.recovery.fetchAfter;
  r.recovery.fetchAfter = async (roomId, after, limit) => {
    const page = await fetchAfter(roomId, after, limit);
    r.fetched += page.items.length;
    return page;
  };
  await r.recovery.start();
  await connection.invoke('JoinRoom', room.id);
  await r.recovery.follow(room.id, 0);
  cleanups.push(() => connection.stop());
  return r;
}

async function send(sender, room, from, count, size = 40) {
  const sent = [];
  for (let i = from; i < from + count; i++) {
    sent.push(await sender.invoke('SendMessage', room.id, `m${i} ` + 'x'.repeat(size)));
  }
  return sent;
}

/** Every message once, in seq order, exactly the ones sent. */
async function assertAllShownOnce(r, sent, what) {
  await waitUntil(() => r.shown.length >= sent.length, 60_000, `${what}: ${r.shown.length} of ${sent.length} shown`);
  await new Promise((res) => setTimeout(res, 300)); // duplicates, if any, would arrive now
  assert.deepEqual(r.shown.map((m) => m.seq), sent.map((_, i) => i + 1), `${what}: seqs in order, once`);
  assert.deepEqual(r.shown.map((m) => m.id), sent.map((m) => m.id), `${what}: the messages sent`);
  assert.ok(r.reconnected >= 1, `${what}: the receiver reconnected (a real loss)`);
  assert.ok(r.fetched > 0, `${what}: the helper had to fetch what the hub did not deliver`);
}

for (const c of [
  { name: 'WebSockets with stateful reconnect, cut longer than the 100 KB buffer', transport: 'WebSockets', stateful: true, size: 1500 },
  { name: 'Server-Sent Events, cut and held', transport: 'ServerSentEvents', size: 40 },
  { name: 'long polling, cut and held', transport: 'LongPolling', size: 40 },
]) {
  test(`${c.name}: every message once, in order`, { timeout: 120_000 }, async () => {
    const s = await server({ CHAT_STORE: 'memory' });
    const proxy = await proxyTo(Number(new URL(s.url).port));
    const alice = await devToken(s.url, 'alice', 'Alice');
    const bob = await devToken(s.url, 'bob', 'Bob');
    const room = await createRoom(s.url, alice, c.name);
    const r = await receiver(proxy.url, bob, room, c);
    const sender = await connect(s.url, alice);
    cleanups.push(() => sender.stop());
    await sender.invoke('JoinRoom', room.id);
    const sent = await send(sender, room, 0, 10, c.size);
    await waitUntil(() => r.shown.length === 10, 10_000, 'the first ten');
    proxy.hold();
    proxy.cut();
    // 100 x 1.5 KB = 150 KB > the 100,000-byte stateful buffer: the server ends that connection.
    sent.push(...(await send(sender, room, 10, 100, c.size)));
    proxy.release();
    sent.push(...(await send(sender, room, 110, 10, c.size)));
    await assertAllShownOnce(r, sent, c.name);
  });
}

test('a server restart: every message once, in order', { timeout: 180_000 }, async () => {
  const env = { ...sharedStoreEnv(), PORT: String(await freePort()) };
  let s = await startServer(env);
  const proxy = await proxyTo(Number(env.PORT));
  const alice = await devToken(s.url, 'alice', 'Alice');
  const bob = await devToken(s.url, 'bob', 'Bob');
  const room = await createRoom(s.url, alice, 'Restart');
  const r = await receiver(proxy.url, bob, room, { stateful: true });
  let sender = await connect(s.url, alice);
  await sender.invoke('JoinRoom', room.id);
  const sent = await send(sender, room, 0, 10);
  await waitUntil(() => r.shown.length === 10, 10_000, 'the first ten');
  proxy.hold(); // the receiver stays out until the sender wrote more
  await sender.stop();
  await stopServer(s);
  s = await startServer(env);
  cleanups.push(() => stopServer(s));
  sender = await connect(s.url, alice);
  cleanups.push(() => sender.stop());
  sent.push(...(await send(sender, room, 10, 30)));
  proxy.release();
  sent.push(...(await send(sender, room, 40, 10)));
  await assertAllShownOnce(r, sent, 'restart');
});

test('round robin: the receiver\'s instance is killed (kill -9), the other takes over; every message once, in order', { timeout: 180_000 }, async () => {
  const env = { ...sharedStoreEnv(), REDIS_URL, CHAT_INSTANCE_URL: 'http://127.0.0.1:0' };
  const a = await server({ ...env, CHAT_INSTANCE_ID: 'instance-a' });
  const b = await server({ ...env, CHAT_INSTANCE_ID: 'instance-b' });
  const byName = { a, b };
  const sockets = []; // the instance each WebSocket upgrade went to
  const proxy = await startTcpProxy(
    [a, b].map((s, i) => ({ name: 'ab'[i], port: Number(new URL(s.url).port) })),
    {
      onConnection({ target, client }) {
        client.on('data', (d) => {
          if (/^GET \/hubs\/chat\?id=/m.test(d.toString('latin1'))) sockets.push(target.name);
        });
      },
    },
  );
  cleanups.push(() => proxy.close());
  const alice = await devToken(a.url, 'alice', 'Alice');
  const bob = await devToken(a.url, 'bob', 'Bob');
  const room = await createRoom(a.url, alice, 'Round robin recovery');
  const r = await receiver(proxy.url, bob, room, { transport: 'WebSockets', stateful: true });
  assert.equal(sockets.length, 1);
  const victim = byName[sockets[0]];
  const survivor = victim === a ? b : a;
  const sender = await connect(survivor.url, alice);
  cleanups.push(() => sender.stop());
  await sender.invoke('JoinRoom', room.id);
  const sent = await send(sender, room, 0, 10);
  await waitUntil(() => r.shown.length === 10, 10_000, 'the first ten');
  proxy.hold(); // the receiver stays out until the survivor stored more
  victim.child.kill('SIGKILL');
  await victim.exited;
  sent.push(...(await send(sender, room, 10, 30)));
  proxy.release();
  sent.push(...(await send(sender, room, 40, 10)));
  await assertAllShownOnce(r, sent, 'round robin');
  assert.ok(sockets.length >= 2 && sockets.slice(1).includes(survivor === a ? 'a' : 'b'), 'reconnected to the survivor');
});
