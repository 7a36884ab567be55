// Run by ServerlessRestApiTest: the serverless REST data plane of two chat-server instances,
// called the way the Azure SignalR Service documentation says (a JWT signed with HS256 and the
// access key, aud = the request URL without the query), received by the official client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const signalR = require('@microsoft/signalr');
const { MessagePackHubProtocol } = require('@microsoft/signalr-protocol-msgpack');
const { URL_ONE, URL_TWO, ACCESS_KEY, TOKEN_ALICE, TOKEN_BOB } = process.env;

const b64url = (b) => Buffer.from(b).toString('base64url');
function sign(aud, key = ACCESS_KEY, lifetime = 3600) {
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const now = Math.floor(Date.now() / 1000);
  const payload = b64url(JSON.stringify({ aud, iat: now, nbf: now, exp: now + lifetime }));
  const sig = createHmac('sha256', key).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${sig}`;
}

async function call(method, base, path, { body, query = '', token, aud } = {}) {
  const url = `${base}${path}${query}`;
  const headers = { 'Content-Type': 'application/json' };
  if (token !== null) headers.Authorization = `Bearer ${token ?? sign(aud ?? `${base}${path}`)}`;
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

function connect(url, token, msgpack) {
  const b = new signalR.HubConnectionBuilder()
    .withUrl(`${url}/hubs/chat`, { accessTokenFactory: () => token })
    .configureLogging(signalR.LogLevel.Warning);
  if (msgpack) b.withHubProtocol(new MessagePackHubProtocol());
  const c = b.build();
  c.inbox = [];
  c.on('Notify', (...args) => c.inbox.push(args));
  return c;
}

async function until(check, what, ms = 5000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`timed out waiting for ${what}`);
}
const got = (c, tag) => c.inbox.some((a) => a[0] === tag);

test('REST sends and group changes reach clients on both instances', async (t) => {
  const alice = connect(URL_ONE, TOKEN_ALICE, false);
  const bob = connect(URL_TWO, TOKEN_BOB, true);
  await alice.start();
  await bob.start();
  t.after(async () => { await alice.stop(); await bob.stop(); });
  const v = '?api-version=2022-06-01';

  // broadcast (2022-06-01), called on instance one: both receive
  let r = await call('POST', URL_ONE, '/api/hubs/chat/:send', { query: v, body: { target: 'Notify', arguments: ['all', { n: 1 }] } });
  assert.equal(r.status, 202);
  await until(() => got(alice, 'all') && got(bob, 'all'), 'broadcast');
  assert.deepEqual(bob.inbox.find((a) => a[0] === 'all')[1], { n: 1 });

  // broadcast with an excluded connection (v1 path)
  r = await call('POST', URL_TWO, '/api/v1/hubs/chat', { query: `?excluded=${alice.connectionId}`, body: { target: 'Notify', arguments: ['all-but-alice'] } });
  assert.equal(r.status, 202);
  await until(() => got(bob, 'all-but-alice'), 'all except');

  // a user (both paths), a connection held by the other instance
  r = await call('POST', URL_TWO, '/api/hubs/chat/users/alice/:send', { query: v, body: { target: 'Notify', arguments: ['to-alice'] } });
  assert.equal(r.status, 202);
  r = await call('POST', URL_ONE, '/api/v1/hubs/chat/users/bob', { body: { target: 'Notify', arguments: ['to-bob'] } });
  assert.equal(r.status, 202);
  r = await call('POST', URL_ONE, `/api/hubs/chat/connections/${bob.connectionId}/:send`, { query: v, body: { target: 'Notify', arguments: ['to-bob-connection'] } });
  assert.equal(r.status, 202);
  await until(() => got(alice, 'to-alice') && got(bob, 'to-bob') && got(bob, 'to-bob-connection'), 'user and connection sends');

  // group membership of a connection on the other instance, then group sends (both paths)
  r = await call('PUT', URL_ONE, `/api/hubs/chat/groups/news/connections/${bob.connectionId}`, { query: v });
  assert.equal(r.status, 200);
  r = await call('PUT', URL_TWO, `/api/v1/hubs/chat/groups/news/connections/${alice.connectionId}`);
  assert.equal(r.status, 200);
  r = await call('POST', URL_ONE, '/api/hubs/chat/groups/news/:send', { query: v, body: { target: 'Notify', arguments: ['news-1'] } });
  assert.equal(r.status, 202);
  await until(() => got(alice, 'news-1') && got(bob, 'news-1'), 'group send');
  r = await call('POST', URL_TWO, '/api/v1/hubs/chat/groups/news', { query: `?excluded=${bob.connectionId}`, body: { target: 'Notify', arguments: ['news-2'] } });
  assert.equal(r.status, 202);
  await until(() => got(alice, 'news-2'), 'group send with exclusion');
  r = await call('DELETE', URL_TWO, `/api/hubs/chat/groups/news/connections/${bob.connectionId}`, { query: v });
  assert.equal(r.status, 200);
  r = await call('POST', URL_ONE, '/api/hubs/chat/groups/news/:send', { query: v, body: { target: 'Notify', arguments: ['news-3'] } });
  assert.equal(r.status, 202);
  await until(() => got(alice, 'news-3'), 'group send after leave');
  await new Promise((res) => setTimeout(res, 200));
  assert.ok(!got(bob, 'news-2'), 'an excluded connection got the group send');
  assert.ok(!got(bob, 'news-3'), 'a removed connection got the group send');
  assert.ok(!got(alice, 'all-but-alice'), 'an excluded connection got the broadcast');
  // the hub name is case-insensitive, as Azure lower-cases it
  r = await call('POST', URL_ONE, '/api/hubs/Chat/:send', { query: v, body: { target: 'Notify', arguments: ['case'] } });
  assert.equal(r.status, 202);
  await until(() => got(alice, 'case'), 'hub name in another case');
});

test('authentication and errors as the service answers them', async () => {
  const path = '/api/hubs/chat/:send';
  const body = { target: 'Notify', arguments: [] };
  let r = await call('POST', URL_ONE, path, { body, token: null });
  assert.equal(r.status, 401);
  assert.equal(r.body.code, 'Error.Unauthorized');
  r = await call('POST', URL_ONE, path, { body, token: sign(`${URL_ONE}${path}`, 'another-key-that-is-long-enough-0123456789') });
  assert.equal(r.status, 401);
  r = await call('POST', URL_ONE, path, { body, token: sign(`${URL_ONE}${path}`, ACCESS_KEY, -60) });
  assert.equal(r.status, 401);
  r = await call('POST', URL_ONE, path, { body, aud: `${URL_ONE}/api/hubs/chat/users/x/:send` });
  assert.equal(r.status, 403);
  assert.match(r.body.message, /audience/);
  r = await call('POST', URL_ONE, '/api/hubs/nosuchhub/:send', { body });
  assert.equal(r.status, 404);
  assert.equal(r.body.code, 'Error.HubNotFound');
  r = await call('POST', URL_ONE, path, { body: { arguments: [] } });
  assert.equal(r.status, 400);
  assert.match(r.body.message, /target/);
  r = await call('POST', URL_ONE, '/api/hubs/9bad/:send', { body });
  assert.equal(r.status, 400);
  // the chat API's own routes still want user tokens
  r = await call('GET', URL_ONE, '/api/v1/rooms', { token: null });
  assert.equal(r.status, 401);
});
