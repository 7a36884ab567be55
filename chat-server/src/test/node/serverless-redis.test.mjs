// Two chat-server processes (the built jar) with CHAT_ACCESS_KEY on one Redis (REDIS_URL, default
// redis://127.0.0.1:6379): Azure SignalR Service's serverless REST API called on one instance, the
// official client connected to the other. What the in-process ServerlessRestApiTest checks
// operation by operation, here through the real start-up path (environment, RedisScaleout with its
// user group store). Only random user, group and connection names are touched, so other tests on
// the same Redis are unaffected. Fails (never skips) when Redis does not answer.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { startServer, stopServer, devToken, signalR, MessagePackHubProtocol, waitUntil } from './helpers.mjs';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const ACCESS_KEY = randomBytes(32).toString('hex');
const env = { REDIS_URL, CHAT_STORE: 'memory', JWT_SECRET: randomBytes(32).toString('hex'), CHAT_ACCESS_KEY: ACCESS_KEY };
const V = '?api-version=2022-06-01';
const name = (what) => `sl-${what}-${randomBytes(4).toString('hex')}`;

function sign(aud) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ aud, iat: now, exp: now + 600 })}`;
  return `${unsigned}.${createHmac('sha256', ACCESS_KEY).update(unsigned).digest('base64url')}`;
}

async function call(method, base, path, { query = V, body, aud } = {}) {
  const res = await fetch(`${base}${path}${query}`, {
    method,
    headers: { Authorization: `Bearer ${sign(aud ?? `${base}${path}`)}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  await res.arrayBuffer();
  return { status: res.status, errorCode: res.headers.get('x-ms-error-code') };
}

async function listen(url, token, msgpack = false) {
  const b = new signalR.HubConnectionBuilder()
    .withUrl(`${url}/hubs/chat`, { accessTokenFactory: () => token })
    .configureLogging(signalR.LogLevel.None);
  if (msgpack) b.withHubProtocol(new MessagePackHubProtocol());
  const c = b.build();
  c.inbox = [];
  c.on('Notify', (tag) => c.inbox.push(tag));
  c.closed = new Promise((resolve) => c.onclose((e) => resolve(e ?? null)));
  await c.start();
  // The lifetime manager's onConnected (stored user groups joined) is done before any invocation of
  // the connection completes: an unknown method is the barrier.
  await c.invoke('NoSuchMethodUsedAsABarrier').catch(() => {});
  return c;
}

const servers = [];
const clients = [];
after(async () => {
  await Promise.all(clients.map((c) => c.stop().catch(() => {})));
  await Promise.all(servers.map((s) => stopServer(s)));
});

test('serverless REST on two jar instances over Redis: user groups, existence, close', { timeout: 180_000 }, async () => {
  const a = await startServer(env);
  servers.push(a);
  const b = await startServer(env);
  servers.push(b);
  for (const s of [a, b]) assert.match(s.output, /backplane redis/);
  const user = name('user');
  const group = name('group');
  const token = await devToken(a.url, user); // same JWT_SECRET: valid on both

  const onA = await listen(a.url, token);
  const onB = await listen(b.url, token, true);
  clients.push(onA, onB);

  // the user joins the group on instance B; a group send on A reaches both connections
  assert.equal((await call('PUT', b.url, `/api/hubs/chat/users/${user}/groups/${group}`)).status, 200);
  assert.equal((await call('POST', a.url, `/api/hubs/chat/groups/${group}/:send`, { body: { target: 'Notify', arguments: ['first'] } })).status, 202);
  await waitUntil(() => onA.inbox.includes('first') && onB.inbox.includes('first'), 10_000, 'the group send on both instances');
  // a connection the user opens afterwards, on B, is in the group as soon as it is connected
  const later = await listen(b.url, token);
  clients.push(later);
  assert.equal((await call('POST', a.url, `/api/hubs/chat/groups/${group}/:send`, { body: { target: 'Notify', arguments: ['later'] } })).status, 202);
  await waitUntil(() => later.inbox.includes('later'), 10_000, 'the later connection in the group');
  assert.equal((await call('HEAD', a.url, `/api/hubs/chat/users/${user}/groups/${group}`)).status, 200);

  // existence checks on A about connections of B
  assert.equal((await call('HEAD', a.url, `/api/hubs/chat/connections/${later.connectionId}`)).status, 200);
  assert.equal((await call('HEAD', a.url, `/api/hubs/chat/groups/${group}`)).status, 200);
  assert.equal((await call('HEAD', a.url, `/api/hubs/chat/users/${user}`)).status, 200);
  const nobody = await call('HEAD', a.url, `/api/hubs/chat/users/${name('nobody')}`);
  assert.equal(nobody.status, 404);
  assert.equal(nobody.errorCode, 'Warning.User.NotExisted');

  // closing a connection of B from A: the client gets the reason
  assert.equal((await call('DELETE', a.url, `/api/hubs/chat/connections/${later.connectionId}`, { query: `${V}&reason=moved` })).status, 200);
  assert.match((await later.closed).message, /moved/);

  // out of all groups (on A): the user's connections on B no longer get the group
  assert.equal((await call('DELETE', a.url, `/api/hubs/chat/users/${user}/groups`)).status, 204);
  assert.equal((await call('HEAD', b.url, `/api/hubs/chat/users/${user}/groups/${group}`)).status, 404);
  await waitUntil(async () => (await call('HEAD', a.url, `/api/hubs/chat/groups/${group}`)).status === 404, 10_000, 'the group empty');

  // the access key is checked: another audience is 403
  assert.equal((await call('HEAD', b.url, `/api/hubs/chat/users/${user}`, { aud: `${a.url}/api/hubs/chat/users/${user}` })).status, 403);
});
