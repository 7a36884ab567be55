// Two chat-server instances behind a round-robin TCP proxy (chat-test-support's tcp-proxy.mjs: each
// new TCP connection goes to the next instance; no session affinity), sharing JWT_SECRET, Redis
// (REDIS_URL) and PostgreSQL (DATABASE_URL, a schema of its own). The official @microsoft/signalr client:
// - over WebSockets, negotiate is answered by one instance and the WebSocket by the other (the
//   signed connection token is adopted there), and messages flow;
// - over long polling and Server-Sent Events, the requests that reach the instance which does not
//   hold the connection are forwarded to the one that does (CHAT_INSTANCE_URL in the token);
// - a stateful reconnect sent to the instance that never saw the connection is dropped there
//   unanswered, and the client resumes on the instance that holds it (JSON and MessagePack).
// The proxy sniffs each TCP connection's requests and the X-Chat-Instance / X-Chat-Forwarded-By
// response headers to prove where each request went. Fails (never skips) without Redis or
// PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startTcpProxy } from '../../../../chat-test-support/src/main/node/tcp-proxy.mjs';
import { startServer, stopServer, devToken, createRoom, connect, DATABASE_URL, psql } from './helpers.mjs';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const SCHEMA = 'chat_rr_it_' + randomBytes(4).toString('hex');
const SECRET = randomBytes(32).toString('hex');
const env = {
  REDIS_URL,
  DATABASE_URL,
  DB_SCHEMA: SCHEMA,
  JWT_SECRET: SECRET,
  DB_STARTUP_TIMEOUT: '5s',
  // Port 0 in the instance URL stands for the port the server binds (PORT=0 here).
  CHAT_INSTANCE_URL: 'http://127.0.0.1:0',
};


/**
 * The shared TCP proxy over both instances (each new connection to the next one), recording per
 * connection the target's name, the request lines seen and the instance headers of the answers.
 */
async function roundRobinProxy(targets) {
  const connections = [];
  const proxy = await startTcpProxy(targets, {
    onConnection({ target, client, upstream }) {
      const record = { target: target.name, requests: [], instances: new Set(), forwardedBy: new Set(), answered: '' };
      connections.push(record);
      client.on('data', (d) => {
        for (const m of d.toString('latin1').matchAll(/^(GET|POST|DELETE|OPTIONS|PUT) (\S+) HTTP\/1\.1\r\n/gm)) {
          record.requests.push(m[1] + ' ' + m[2]);
        }
      });
      upstream.on('data', (d) => {
        const text = d.toString('latin1');
        if (record.answered.length < 65_536) record.answered += text;
        for (const m of text.matchAll(/^x-chat-instance: *(\S+)\r$/gim)) record.instances.add(m[1]);
        for (const m of text.matchAll(/^x-chat-forwarded-by: *(\S+)\r$/gim)) record.forwardedBy.add(m[1]);
      });
    },
  });
  return { url: proxy.url, connections, cut: () => proxy.cut(), close: () => proxy.close() };
}

const portOf = (url) => Number(new URL(url).port);
/** Whether a proxied connection carried the transport's GET (the WebSocket, the SSE stream or a poll). */
const transportGet = (c) => c.requests.some((r) => /^GET \/hubs\/chat\?id=/.test(r));
const servers = [];
const proxies = [];
let a;
let b;
let targets;
let aliceToken;
let bobToken;
let room;
let bob;

before(async () => {
  // One first so that it creates the schema, then the other.
  a = await startServer({ ...env, CHAT_INSTANCE_ID: 'instance-a' });
  servers.push(a);
  b = await startServer({ ...env, CHAT_INSTANCE_ID: 'instance-b' });
  servers.push(b);
  targets = [
    { name: 'instance-a', port: portOf(a.url) },
    { name: 'instance-b', port: portOf(b.url) },
  ];
  aliceToken = await devToken(a.url, 'alice', 'Alice'); // same JWT_SECRET: valid on both
  bobToken = await devToken(b.url, 'bob', 'Bob');
  room = await createRoom(a.url, aliceToken, 'Round robin', false);
  // Bob talks to instance B directly: messages cross the Redis backplane both ways.
  bob = await connect(b.url, bobToken, { transport: 'WebSockets' });
  await bob.invoke('JoinRoom', room.id);
});

after(async () => {
  if (bob) await bob.stop().catch(() => {});
  await Promise.all(proxies.map((p) => p.close()));
  await Promise.all(servers.map((s) => stopServer(s)));
  psql(`drop schema if exists ${SCHEMA} cascade`);
});

/** Alice through a fresh round-robin proxy: joins the room, chats with Bob both ways. */
async function chatThroughProxy(transport, protocol) {
  const proxy = await roundRobinProxy(targets);
  proxies.push(proxy);
  const alice = await connect(proxy.url, aliceToken, { transport, protocol });
  try {
    const joined = await alice.invoke('JoinRoom', room.id);
    assert.equal(joined.id, room.id);
    await bob.waitFor('UserJoined', (e) => e.userId === 'alice' && e.roomId === room.id);
    for (let i = 0; i < 5; i++) {
      const mine = await alice.invoke('SendMessage', room.id, `${transport} ${i} from alice`);
      assert.equal(mine.senderId, 'alice');
      assert.equal((await bob.waitFor('ReceiveMessage', (m) => m.id === mine.id)).content, `${transport} ${i} from alice`);
      await alice.waitFor('ReceiveMessage', (m) => m.id === mine.id);
      const his = await bob.invoke('SendMessage', room.id, `${transport} ${i} from bob`);
      assert.equal((await alice.waitFor('ReceiveMessage', (m) => m.id === his.id)).content, `${transport} ${i} from bob`);
    }
    await alice.invoke('LeaveRoom', room.id);
  } finally {
    await alice.stop();
  }
  return proxy.connections;
}

test('WebSockets: negotiate on one instance, the WebSocket on the other, no affinity', { timeout: 120_000 }, async () => {
  const connections = await chatThroughProxy('WebSockets', 'json');
  const negotiate = connections.find((c) => c.requests.some((r) => r.startsWith('POST /hubs/chat/negotiate')));
  const socket = connections.find(transportGet);
  assert.ok(negotiate && socket, JSON.stringify(connections, (k, v) => (v instanceof Set ? [...v] : v)));
  assert.notEqual(negotiate, socket);
  assert.notEqual(negotiate.target, socket.target, 'negotiate and the WebSocket went to different instances');
  // Each instance says who answered: the one the proxy chose, nobody forwarded anything.
  assert.deepEqual([...negotiate.instances], [negotiate.target]);
  assert.deepEqual([...socket.instances], [socket.target]);
  assert.equal(socket.forwardedBy.size, 0);
});

test('long polling: requests reaching the other instance are forwarded to the owner', { timeout: 120_000 }, async () => {
  const connections = await chatThroughProxy('LongPolling', 'messagepack');
  const owner = connections.find((c) => c.requests.some((r) => r.startsWith('POST /hubs/chat/negotiate'))).target;
  const other = targets.find((t) => t.name !== owner).name;
  const elsewhere = connections.filter((c) => c.target === other && c.requests.some((r) => /^(GET|POST|DELETE) \/hubs\/chat\?id=/.test(r)));
  assert.ok(elsewhere.length > 0, 'some polls or sends went to the instance without the connection: '
    + JSON.stringify(connections, (k, v) => (v instanceof Set ? [...v] : v)));
  for (const c of elsewhere) {
    assert.deepEqual([...c.forwardedBy], [other], 'forwarded by the instance that received it');
    assert.ok(c.instances.has(owner), 'answered by the owner');
  }
});

test('Server-Sent Events: the stream and the sends are forwarded to the owner', { timeout: 120_000 }, async () => {
  const connections = await chatThroughProxy('ServerSentEvents', 'json');
  const owner = connections.find((c) => c.requests.some((r) => r.startsWith('POST /hubs/chat/negotiate'))).target;
  const stream = connections.find(transportGet);
  assert.ok(stream);
  assert.notEqual(stream.target, owner, 'the event stream reached the other instance');
  assert.deepEqual([...stream.forwardedBy], [stream.target], 'which forwarded it');
  assert.ok(stream.instances.has(owner), 'the stream is the owner\'s');
});

// A stateful reconnect goes through the balancer too, so it may reach an instance that does not hold
// the connection and never saw it, which would adopt the token as for a first WebSocket and wait for
// a handshake the resuming client never sends. That instance drops the socket without an answer (a
// handshake answer would reach the client as a message without a type and end its connection): the
// client tries again and resumes on the instance holding the connection, same connection id, nothing
// lost.
for (const protocol of ['json', 'messagepack']) {
  test(`stateful reconnect that reaches the other instance (${protocol}): dropped there, resumed on the owner`, { timeout: 120_000 }, async () => {
    // negotiate and the WebSocket on A; the resume on B; the retry on A.
    const proxy = await roundRobinProxy([targets[0], targets[0], targets[1], targets[0]]);
    proxies.push(proxy);
    const alice = await connect(proxy.url, aliceToken, { transport: 'WebSockets', protocol, stateful: true });
    const closed = [];
    alice.onclose((e) => closed.push(String(e)));
    try {
      const id = alice.connectionId;
      await alice.invoke('JoinRoom', room.id);
      proxy.cut();
      // Bob's message reaches Alice's connection while its socket is down: replayed on the resume.
      const his = await bob.invoke('SendMessage', room.id, `to the resumed ${protocol} socket`);
      const got = await alice.waitFor('ReceiveMessage', (m) => m.id === his.id, 20_000);
      assert.equal(got.content, `to the resumed ${protocol} socket`);
      const mine = await alice.invoke('SendMessage', room.id, `from the resumed ${protocol} socket`);
      assert.equal((await bob.waitFor('ReceiveMessage', (m) => m.id === mine.id)).content, `from the resumed ${protocol} socket`);
      assert.deepEqual(closed, []);
      assert.equal(alice.connectionId, id, 'the same connection, resumed');
      const sockets = proxy.connections.filter(transportGet);
      assert.deepEqual(
        sockets.map((c) => c.target),
        ['instance-a', 'instance-b', 'instance-a'],
        'the first socket and the successful resume on A, the dropped attempt on B',
      );
      // B answered the upgrade (101) and then nothing: no handshake answer (error or not).
      const dropped = sockets[1].answered;
      assert.match(dropped, /^HTTP\/1\.1 101 /);
      assert.equal(dropped.slice(dropped.indexOf('\r\n\r\n') + 4), '', 'B sent nothing after the upgrade');
      await alice.invoke('LeaveRoom', room.id);
    } finally {
      await alice.stop();
    }
  });
}
