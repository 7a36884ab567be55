// Abuse limits seen from outside: MAX_CONNECTIONS_PER_USER answers 429 at negotiate (Retry-After,
// problem+json), MESSAGE_RATE_LIMIT fails the invocation with a readable error while the official
// client stays connected and nothing is stored, the per-IP limits of dev-token and negotiate, and
// both user limits across two instances sharing the real Redis (counts heal when an instance dies).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  signalR, startServer, stopServer, devToken, api, createRoom, connect, waitUntil, hubErrorText,
} from './helpers.mjs';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const servers = [];
after(async () => {
  await Promise.all(servers.map((s) => stopServer(s).catch(() => {})));
});
const unique = (name) => name + '-' + randomBytes(4).toString('hex');

async function negotiate(url, token) {
  const res = await fetch(url + '/hubs/chat/negotiate?negotiateVersion=1', {
    method: 'POST',
    headers: { Authorization: 'Bearer ' + token },
  });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

function assertTooMany(r, detailPattern) {
  assert.equal(r.status, 429, r.body);
  assert.match(r.headers.get('retry-after'), /^[1-9]\d*$/);
  assert.match(r.headers.get('content-type'), /^application\/problem\+json/);
  const problem = JSON.parse(r.body);
  assert.equal(problem.status, 429);
  assert.equal(problem.title, 'Too Many Requests');
  assert.match(problem.detail, detailPattern);
}

test('one instance: the connection cap answers 429 at negotiate, the message rate limit keeps the client connected', { timeout: 120_000 }, async () => {
  const s = await startServer({ CHAT_STORE: 'memory', MAX_CONNECTIONS_PER_USER: '2', MESSAGE_RATE_LIMIT: '3/1m' });
  servers.push(s);
  const alice = await devToken(s.url, 'alice');
  const first = await connect(s.url, alice, { transport: 'WebSockets' });
  const second = await connect(s.url, alice, { transport: 'LongPolling' });
  assertTooMany(await negotiate(s.url, alice), /'alice' already has 2 open connections \(at most 2 per user\)/);
  // The official client's start fails with the status and the readable detail.
  const third = new signalR.HubConnectionBuilder().withUrl(s.url + '/hubs/chat', { accessTokenFactory: () => alice })
    .configureLogging(signalR.LogLevel.None).build();
  await assert.rejects(third.start(), (e) => /Status code '429'/.test(e.message) && /at most 2 per user/.test(e.message));
  // Another user is not affected; once alice closes one, she may connect again.
  const bob = await devToken(s.url, 'bob');
  const bobConnection = await connect(s.url, bob);
  await second.stop();
  // (Not probed with a bare negotiate: that would hold the slot until its token expires.)
  const again = await waitUntil(() => connect(s.url, alice, { transport: 'ServerSentEvents' }).catch(() => undefined), 10_000, 'a free slot');

  // MESSAGE_RATE_LIMIT=3/1m: SendMessage and SendTyping share the user's bucket.
  const room = await createRoom(s.url, alice, 'Limited');
  await first.invoke('JoinRoom', room.id);
  await first.invoke('SendMessage', room.id, 'one');
  await first.invoke('SendTyping', room.id);
  await again.invoke('SendMessage', room.id, 'two'); // per user, not per connection
  const refused = await first.invoke('SendMessage', room.id, 'three').then(() => null, (e) => e);
  assert.ok(refused, 'the fourth call within a minute is refused');
  assert.match(hubErrorText(refused), /^Rate limit exceeded: at most 3 messages per minute \(SendMessage and SendTyping together\); try again in \d+ s\.$/);
  await assert.rejects(first.invoke('SendTyping', room.id), /Rate limit exceeded/);
  assert.equal(first.state, signalR.HubConnectionState.Connected);
  await first.invoke('JoinRoom', room.id); // other methods still work on the same connection
  const history = await api(s.url, 'GET', `/api/v1/rooms/${room.id}/messages`, alice);
  assert.deepEqual(history.body.items.map((m) => m.content), ['one', 'two'], 'the refused message was not stored');
  // Bob has a bucket of his own.
  await bobConnection.invoke('JoinRoom', room.id);
  await bobConnection.invoke('SendMessage', room.id, 'from bob');
  const metrics = await api(s.url, 'GET', '/metrics');
  assert.match(metrics.body, /jvmchat_limits_rejected_total\{limit="connections"\} [1-9]/);
  assert.match(metrics.body, /jvmchat_limits_rejected_total\{limit="messages"\} [1-9]/);
  await Promise.all([first.stop(), again.stop(), bobConnection.stop()]);
});

test('the cap is exact under concurrency: of 24 official clients starting at once exactly the cap connect; a negotiation never used holds its slot until its token expires', { timeout: 120_000 }, async () => {
  const s = await startServer({ CHAT_STORE: 'memory', MAX_CONNECTIONS_PER_USER: '3' });
  servers.push(s);
  const token = await devToken(s.url, 'henry');
  const transports = ['WebSockets', 'ServerSentEvents', 'LongPolling'];
  const clients = Array.from({ length: 24 }, (_, i) => new signalR.HubConnectionBuilder()
    .withUrl(s.url + '/hubs/chat', { accessTokenFactory: () => token, transport: signalR.HttpTransportType[transports[i % 3]] })
    .configureLogging(signalR.LogLevel.None).build());
  // Every negotiate is in flight before any connection completes its handshake.
  const results = await Promise.allSettled(clients.map((c) => c.start()));
  const connected = clients.filter((c, i) => results[i].status === 'fulfilled');
  for (const r of results.filter((x) => x.status === 'rejected')) {
    assert.match(r.reason.message, /Status code '429'/);
  }
  assert.equal(connected.length, 3, 'exactly MAX_CONNECTIONS_PER_USER clients connected, never more');
  for (const c of connected) {
    assert.equal(c.state, signalR.HubConnectionState.Connected);
    await c.invoke('NoSuchMethodUsedAsABarrier').catch(() => {}); // each connection works
  }
  assertTooMany(await negotiate(s.url, token), /'henry' already has 3 open connections \(at most 3 per user\)/);

  // A closed connection frees its slot; a negotiate that never connects takes it and holds it
  // until its connection token expires unused (the disconnect timeout, 15 s), then releases it.
  await connected[0].stop();
  await waitUntil(async () => (await negotiate(s.url, token)).status === 200, 10_000, 'the closed connection\'s slot');
  const heldSince = Date.now();
  assertTooMany(await negotiate(s.url, token), /already has 3 open connections/);
  const late = new signalR.HubConnectionBuilder().withUrl(s.url + '/hubs/chat', { accessTokenFactory: () => token })
    .configureLogging(signalR.LogLevel.None).build();
  await assert.rejects(late.start(), /Status code '429'/);
  await waitUntil(() => late.start().then(() => true, () => false), 40_000, 'the unused negotiation to expire');
  assert.ok(Date.now() - heldSince >= 10_000, 'the unused negotiation held its slot until its token expired');
  assertTooMany(await negotiate(s.url, token), /already has 3 open connections/);
  await Promise.all([late.stop(), ...connected.slice(1).map((c) => c.stop())]);
});

test('per-IP limits on dev-token and negotiate answer 429 with Retry-After', { timeout: 60_000 }, async () => {
  const s = await startServer({ CHAT_STORE: 'memory', DEV_TOKEN_RATE_LIMIT_PER_IP: '2/1m', NEGOTIATE_RATE_LIMIT_PER_IP: '3/1m' });
  servers.push(s);
  const token = await devToken(s.url, 'carol');
  await devToken(s.url, 'dave');
  const r = await api(s.url, 'POST', '/api/v1/auth/dev-token', null, { userId: 'erin' });
  assert.equal(r.status, 429);
  assert.match(r.headers.get('retry-after'), /^[1-9]\d*$/);
  assert.match(r.body.detail, /Too many token requests from this address \(at most 2\/1m\)/);
  for (let i = 0; i < 3; i++) {
    assert.equal((await negotiate(s.url, token)).status, 200);
  }
  assertTooMany(await negotiate(s.url, token), /Too many connection attempts from this address \(at most 3\/1m\)/);
});

test('two instances on Redis: the connection cap and the message rate count across both; a dead instance stops counting', { timeout: 180_000 }, async () => {
  const env = {
    CHAT_STORE: 'memory', REDIS_URL, JWT_SECRET: randomBytes(32).toString('hex'),
    MAX_CONNECTIONS_PER_USER: '2', MESSAGE_RATE_LIMIT: '2/1m', CONNECTION_COUNT_TTL: '1500ms',
  };
  const a = await startServer(env);
  servers.push(a);
  const b = await startServer(env);
  servers.push(b);
  const user = unique('frank');
  const token = await devToken(a.url, user); // the same JWT_SECRET: valid on both
  await connect(a.url, token, { transport: 'WebSockets' });
  await connect(b.url, token, { transport: 'WebSockets' });
  for (const s of [a, b]) {
    await waitUntil(async () => (await negotiate(s.url, token)).status === 429, 10_000, 'both instances to count both connections');
    assertTooMany(await negotiate(s.url, token), /already has 2 open connections \(at most 2 per user\)/);
  }

  // The message bucket is shared: two calls on A, the third on B is refused.
  const other = unique('grace');
  const otherToken = await devToken(a.url, other);
  const otherOnA = await connect(a.url, otherToken);
  const otherOnB = await connect(b.url, otherToken);
  const room = await createRoom(a.url, otherToken, 'Shared bucket');
  await otherOnA.invoke('JoinRoom', room.id);
  await otherOnA.invoke('SendTyping', room.id);
  await otherOnA.invoke('SendMessage', room.id, 'second');
  await assert.rejects(otherOnB.invoke('SendTyping', room.id), (e) => /Rate limit exceeded: at most 2 messages per minute/.test(hubErrorText(e)));
  await assert.rejects(otherOnA.invoke('SendMessage', room.id, 'third'), /Rate limit exceeded/);
  assert.equal(otherOnB.state, signalR.HubConnectionState.Connected);
  await otherOnB.stop();

  // Instance A dies without a goodbye: its connections stop counting once its entry expires.
  a.child.kill('SIGKILL');
  await a.exited;
  await waitUntil(async () => (await negotiate(b.url, token)).status === 200, 15_000, 'the dead instance\'s connections to expire');
});

test('two instances on Redis: 24 official clients starting at once on both, exactly the cap connect across the two', { timeout: 180_000 }, async () => {
  const env = {
    CHAT_STORE: 'memory', REDIS_URL, JWT_SECRET: randomBytes(32).toString('hex'), MAX_CONNECTIONS_PER_USER: '3',
  };
  const [a, b] = await Promise.all([startServer(env), startServer(env)]);
  servers.push(a, b);
  const user = unique('ivy');
  const token = await devToken(a.url, user);
  const transports = ['WebSockets', 'ServerSentEvents', 'LongPolling'];
  const clients = Array.from({ length: 24 }, (_, i) => new signalR.HubConnectionBuilder()
    .withUrl((i % 2 ? b : a).url + '/hubs/chat', { accessTokenFactory: () => token, transport: signalR.HttpTransportType[transports[i % 3]] })
    .configureLogging(signalR.LogLevel.None).build());
  const results = await Promise.allSettled(clients.map((c) => c.start()));
  for (const r of results.filter((x) => x.status === 'rejected')) {
    assert.match(r.reason.message, /Status code '429'/);
  }
  const connected = clients.filter((c, i) => results[i].status === 'fulfilled');
  assert.equal(connected.length, 3, 'exactly MAX_CONNECTIONS_PER_USER across both instances');
  for (const s of [a, b]) {
    assertTooMany(await negotiate(s.url, token), /already has 3 open connections \(at most 3 per user\)/);
  }
  await Promise.all(connected.map((c) => c.stop()));
});
