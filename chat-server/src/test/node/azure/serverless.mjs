// Run by ServerlessRestApiTest: the serverless REST data plane of two chat-server instances on one
// Redis, called the way the Azure SignalR Service documentation says (a JWT signed with HS256 and
// the access key, aud = the request URL without the query), received by the official client.
// Every operation is called on one instance and observed on clients of the other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const signalR = require('@microsoft/signalr');
const { MessagePackHubProtocol } = require('@microsoft/signalr-protocol-msgpack');
const { URL_ONE, URL_TWO, ACCESS_KEY, TOKEN_ALICE, TOKEN_BOB, TOKEN_CAROL, TOKEN_DAVE } = process.env;
const V = '?api-version=2022-06-01';

const b64url = (b) => Buffer.from(b).toString('base64url');
function sign(aud, key = ACCESS_KEY, lifetime = 3600) {
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const now = Math.floor(Date.now() / 1000);
  const payload = b64url(JSON.stringify({ aud, iat: now, nbf: now, exp: now + lifetime }));
  const sig = createHmac('sha256', key).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${sig}`;
}

// A REST call as the service's documentation describes it: aud = the URL without the query.
async function call(method, base, path, { body, query = '', token, aud } = {}) {
  const url = `${base}${path}${query}`;
  const headers = { 'Content-Type': 'application/json' };
  if (token !== null) headers.Authorization = `Bearer ${token ?? sign(aud ?? `${base}${path}`)}`;
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, errorCode: res.headers.get('x-ms-error-code'), body: text ? JSON.parse(text) : null };
}

async function connect(url, token, msgpack = false) {
  const b = new signalR.HubConnectionBuilder()
    .withUrl(`${url}/hubs/chat`, { accessTokenFactory: () => token })
    .configureLogging(signalR.LogLevel.None);
  if (msgpack) b.withHubProtocol(new MessagePackHubProtocol());
  const c = b.build();
  c.inbox = [];
  c.on('Notify', (...args) => c.inbox.push(args));
  c.closed = new Promise((resolve) => c.onclose((error) => resolve(error ?? null)));
  await c.start();
  return c;
}

async function until(check, what, ms = 10_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`timed out waiting for ${what}`);
}
const got = (c, tag) => c.inbox.some((a) => a[0] === tag);
const unique = (what) => `${what}-${randomBytes(4).toString('hex')}`;
const send = (base, path, tag, query = V) => call('POST', base, path, { query, body: { target: 'Notify', arguments: [tag] } });

// Everything one instance sent before this reached `clients`: a user send from the same instance
// (Redis delivers one publisher's messages in order), awaited on each.
async function fence(base, clients) {
  const tag = unique('fence');
  for (const user of new Set(clients.map((c) => c.user))) {
    assert.equal((await send(base, `/api/hubs/chat/users/${user}/:send`, tag)).status, 202);
  }
  await until(() => clients.every((c) => got(c, tag)), `fence ${tag}`);
}

async function stopAll(...clients) {
  await Promise.all(clients.map((c) => c.stop()));
}

test('REST sends and connection group changes reach clients on both instances', async (t) => {
  const alice = await connect(URL_ONE, TOKEN_ALICE, false);
  const bob = await connect(URL_TWO, TOKEN_BOB, true);
  t.after(() => stopAll(alice, bob));
  const news = unique('news');

  // broadcast (2022-06-01), called on instance one: both receive
  let r = await call('POST', URL_ONE, '/api/hubs/chat/:send', { query: V, body: { target: 'Notify', arguments: ['all', { n: 1 }] } });
  assert.equal(r.status, 202);
  await until(() => got(alice, 'all') && got(bob, 'all'), 'broadcast');
  assert.deepEqual(bob.inbox.find((a) => a[0] === 'all')[1], { n: 1 });

  // broadcast with an excluded connection (v1 path)
  r = await send(URL_TWO, '/api/v1/hubs/chat', 'all-but-alice', `?excluded=${alice.connectionId}`);
  assert.equal(r.status, 202);
  await until(() => got(bob, 'all-but-alice'), 'all except');

  // a user (both paths), a connection held by the other instance
  assert.equal((await send(URL_TWO, '/api/hubs/chat/users/alice/:send', 'to-alice')).status, 202);
  assert.equal((await send(URL_ONE, '/api/v1/hubs/chat/users/bob', 'to-bob', '')).status, 202);
  assert.equal((await send(URL_ONE, `/api/hubs/chat/connections/${bob.connectionId}/:send`, 'to-bob-connection')).status, 202);
  assert.equal((await send(URL_ONE, `/api/v1/hubs/chat/connections/${bob.connectionId}`, 'to-bob-v1', '')).status, 202);
  await until(() => got(alice, 'to-alice') && got(bob, 'to-bob') && got(bob, 'to-bob-connection') && got(bob, 'to-bob-v1'), 'user and connection sends');

  // group membership of a connection on the other instance (2022-06-01: 200; v1: 202), group sends
  r = await call('PUT', URL_ONE, `/api/hubs/chat/groups/${news}/connections/${bob.connectionId}`, { query: V });
  assert.equal(r.status, 200);
  r = await call('PUT', URL_TWO, `/api/v1/hubs/chat/groups/${news}/connections/${alice.connectionId}`);
  assert.equal(r.status, 202);
  assert.equal((await send(URL_ONE, `/api/hubs/chat/groups/${news}/:send`, 'news-1')).status, 202);
  await until(() => got(alice, 'news-1') && got(bob, 'news-1'), 'group send');
  r = await send(URL_TWO, `/api/v1/hubs/chat/groups/${news}`, 'news-2', `?excluded=${bob.connectionId}`);
  assert.equal(r.status, 202);
  await until(() => got(alice, 'news-2'), 'group send with exclusion');
  r = await call('DELETE', URL_TWO, `/api/hubs/chat/groups/${news}/connections/${bob.connectionId}`, { query: V });
  assert.equal(r.status, 200);
  // v1's other spelling of the same membership: /connections/{id}/groups/{group}
  r = await call('DELETE', URL_ONE, `/api/v1/hubs/chat/connections/${alice.connectionId}/groups/${news}`);
  assert.equal(r.status, 202);
  assert.equal((await send(URL_ONE, `/api/hubs/chat/groups/${news}/:send`, 'news-3')).status, 202);
  alice.user = 'alice';
  bob.user = 'bob';
  await fence(URL_ONE, [alice, bob]);
  assert.ok(!got(bob, 'news-2'), 'an excluded connection got the group send');
  assert.ok(!got(bob, 'news-3') && !got(alice, 'news-3'), 'a removed connection got the group send');
  assert.ok(!got(alice, 'all-but-alice'), 'an excluded connection got the broadcast');

  // removing a connection from all its groups, held by the other instance
  const a = unique('a');
  const b = unique('b');
  for (const g of [a, b]) {
    assert.equal((await call('PUT', URL_TWO, `/api/hubs/chat/groups/${g}/connections/${alice.connectionId}`, { query: V })).status, 200);
  }
  r = await call('DELETE', URL_TWO, `/api/hubs/chat/connections/${alice.connectionId}/groups`, { query: V });
  assert.equal(r.status, 200);
  assert.equal((await send(URL_ONE, `/api/hubs/chat/groups/${a}/:send`, 'in-a')).status, 202);
  assert.equal((await send(URL_ONE, `/api/hubs/chat/groups/${b}/:send`, 'in-b')).status, 202);
  await fence(URL_ONE, [alice]);
  assert.ok(!got(alice, 'in-a') && !got(alice, 'in-b'), 'removed from all groups, still got a group send');

  // the hub name is case-insensitive, as Azure lower-cases it
  assert.equal((await send(URL_ONE, '/api/hubs/Chat/:send', 'case')).status, 202);
  await until(() => got(alice, 'case'), 'hub name in another case');
});

test('a user added to a group gets its sends on every connection, including later ones, until removed', async (t) => {
  const aliceOne = await connect(URL_ONE, TOKEN_ALICE, false);
  const aliceTwo = await connect(URL_TWO, TOKEN_ALICE, true);
  const bob = await connect(URL_TWO, TOKEN_BOB, false);
  const late = [];
  t.after(() => stopAll(aliceOne, aliceTwo, bob, ...late));
  for (const [c, u] of [[aliceOne, 'alice'], [aliceTwo, 'alice'], [bob, 'bob']]) c.user = u;
  const g1 = unique('g1');
  const g2 = unique('g2');

  // added on instance two; the group send on instance one reaches both of alice's connections
  let r = await call('PUT', URL_TWO, `/api/hubs/chat/users/alice/groups/${g1}`, { query: V });
  assert.equal(r.status, 200);
  assert.equal((await send(URL_ONE, `/api/hubs/chat/groups/${g1}/:send`, 'g1-first')).status, 202);
  await until(() => got(aliceOne, 'g1-first') && got(aliceTwo, 'g1-first'), 'user group send');
  await fence(URL_ONE, [bob]);
  assert.ok(!got(bob, 'g1-first'), 'another user got the group send');

  // membership checks (HEAD in 2022-06-01, GET in v1, both spellings of v1's path)
  assert.equal((await call('HEAD', URL_ONE, `/api/hubs/chat/users/alice/groups/${g1}`, { query: V })).status, 200);
  r = await call('HEAD', URL_ONE, `/api/hubs/chat/users/bob/groups/${g1}`, { query: V });
  assert.equal(r.status, 404);
  assert.equal(r.errorCode, 'Info.User.NotInGroup');
  assert.equal((await call('GET', URL_TWO, `/api/v1/hubs/chat/groups/${g1}/users/alice`)).status, 200);
  r = await call('GET', URL_TWO, `/api/v1/hubs/chat/users/bob/groups/${g1}`);
  assert.equal(r.status, 404);
  assert.equal(r.body.code, 'Info.User.NotInGroup');

  // a connection alice opens later, on either instance, is in the group too
  late.push(await connect(URL_TWO, TOKEN_ALICE, false), await connect(URL_ONE, TOKEN_ALICE, true));
  let n = 0;
  await until(async () => {
    await send(URL_ONE, `/api/hubs/chat/groups/${g1}/:send`, `late-${++n}`);
    return late.every((c) => c.inbox.some((a) => String(a[0]).startsWith('late-')));
  }, 'connections opened after the add get the group');

  // v1 add (202), then removing the user from one group (204) leaves the other
  r = await call('PUT', URL_ONE, `/api/v1/hubs/chat/groups/${g2}/users/alice`);
  assert.equal(r.status, 202);
  r = await call('DELETE', URL_ONE, `/api/hubs/chat/users/alice/groups/${g1}`, { query: V });
  assert.equal(r.status, 204);
  assert.equal((await call('HEAD', URL_TWO, `/api/hubs/chat/users/alice/groups/${g1}`, { query: V })).status, 404);
  assert.equal((await send(URL_ONE, `/api/hubs/chat/groups/${g1}/:send`, 'g1-after-remove')).status, 202);
  assert.equal((await send(URL_ONE, `/api/hubs/chat/groups/${g2}/:send`, 'g2-before-remove-all')).status, 202);
  for (const c of late) c.user = 'alice';
  const alices = [aliceOne, aliceTwo, ...late];
  await fence(URL_ONE, alices);
  assert.ok(alices.every((c) => !got(c, 'g1-after-remove')), 'removed from the group, still got its send');
  assert.ok(alices.every((c) => got(c, 'g2-before-remove-all')), 'the other group lost its member');

  // removing the user from all groups (2022-06-01: 204), on the other instance
  r = await call('DELETE', URL_TWO, '/api/hubs/chat/users/alice/groups', { query: V });
  assert.equal(r.status, 204);
  assert.equal((await call('HEAD', URL_ONE, `/api/hubs/chat/users/alice/groups/${g2}`, { query: V })).status, 404);
  assert.equal((await send(URL_ONE, `/api/hubs/chat/groups/${g2}/:send`, 'g2-after-remove-all')).status, 202);
  await fence(URL_ONE, alices);
  assert.ok(alices.every((c) => !got(c, 'g2-after-remove-all')), 'removed from all groups, still got a send');
  r = await call('DELETE', URL_ONE, '/api/v1/hubs/chat/users/alice/groups');
  assert.equal(r.status, 202);
});

test('a user group membership with a ttl ends by itself; ttl=0 adds the current connections only', async (t) => {
  const alice = await connect(URL_ONE, TOKEN_ALICE, false);
  const aliceTwo = await connect(URL_TWO, TOKEN_ALICE, true);
  const late = [];
  t.after(() => stopAll(alice, aliceTwo, ...late));
  const brief = unique('brief');
  const now = unique('now');

  let r = await call('PUT', URL_TWO, `/api/hubs/chat/users/alice/groups/${brief}`, { query: `${V}&ttl=1` });
  assert.equal(r.status, 200);
  assert.equal((await call('HEAD', URL_ONE, `/api/hubs/chat/users/alice/groups/${brief}`, { query: V })).status, 200);
  assert.equal((await send(URL_ONE, `/api/hubs/chat/groups/${brief}/:send`, 'brief-1')).status, 202);
  await until(() => got(alice, 'brief-1') && got(aliceTwo, 'brief-1'), 'send within the ttl');
  // after a second: no longer a member, and no connection of hers is left in the group
  await until(async () => (await call('HEAD', URL_ONE, `/api/hubs/chat/users/alice/groups/${brief}`, { query: V })).status === 404, 'membership expired');
  await until(async () => (await call('HEAD', URL_TWO, `/api/hubs/chat/groups/${brief}`, { query: V })).status === 404, 'group empty after the ttl');

  r = await call('PUT', URL_ONE, `/api/hubs/chat/users/alice/groups/${now}`, { query: `${V}&ttl=0` });
  assert.equal(r.status, 200);
  late.push(await connect(URL_TWO, TOKEN_ALICE, false));
  late[0].user = 'alice';
  alice.user = 'alice';
  aliceTwo.user = 'alice';
  assert.equal((await send(URL_ONE, `/api/hubs/chat/groups/${now}/:send`, 'now-1')).status, 202);
  await fence(URL_ONE, [alice, aliceTwo, late[0]]);
  assert.ok(got(alice, 'now-1') && got(aliceTwo, 'now-1'), 'ttl=0 did not add the current connections');
  assert.ok(!got(late[0], 'now-1'), 'ttl=0 added a later connection');
  assert.equal((await call('HEAD', URL_ONE, `/api/hubs/chat/users/alice/groups/${now}`, { query: V })).status, 404);
});

test('existence checks answer for connections, users and groups of the other instance', async () => {
  const bob = await connect(URL_TWO, TOKEN_BOB, true);
  const room = unique('room');
  let r = await call('PUT', URL_TWO, `/api/hubs/chat/groups/${room}/connections/${bob.connectionId}`, { query: V });
  assert.equal(r.status, 200);

  // HEAD (2022-06-01) and GET (v1), asked of instance one about bob on instance two
  assert.equal((await call('HEAD', URL_ONE, `/api/hubs/chat/connections/${bob.connectionId}`, { query: V })).status, 200);
  assert.equal((await call('HEAD', URL_ONE, '/api/hubs/chat/users/bob', { query: V })).status, 200);
  assert.equal((await call('HEAD', URL_ONE, `/api/hubs/chat/groups/${room}`, { query: V })).status, 200);
  assert.equal((await call('GET', URL_ONE, `/api/v1/hubs/chat/connections/${bob.connectionId}`)).status, 200);
  assert.equal((await call('GET', URL_ONE, '/api/v1/hubs/chat/users/bob')).status, 200);
  assert.equal((await call('GET', URL_ONE, `/api/v1/hubs/chat/groups/${room}`)).status, 200);

  for (const [path, code] of [
    ['/api/hubs/chat/connections/no-such-connection', 'Warning.Connection.NotExisted'],
    [`/api/hubs/chat/users/${unique('nobody')}`, 'Warning.User.NotExisted'],
    [`/api/hubs/chat/groups/${unique('empty')}`, 'Warning.Group.NotExisted'],
  ]) {
    r = await call('HEAD', URL_ONE, path, { query: V });
    assert.equal(r.status, 404, path);
    assert.equal(r.errorCode, code, path);
    r = await call('GET', URL_TWO, path.replace('/api/hubs/', '/api/v1/hubs/'));
    assert.equal(r.status, 404, path);
    assert.equal(r.body.code, code, path);
    assert.equal(r.errorCode, code, path);
  }

  // once bob is gone, instance one says so
  const id = bob.connectionId;
  await bob.stop();
  await until(async () => (await call('HEAD', URL_ONE, `/api/hubs/chat/connections/${id}`, { query: V })).status === 404, 'the connection gone');
  await until(async () => (await call('HEAD', URL_ONE, `/api/hubs/chat/groups/${room}`, { query: V })).status === 404, 'the group empty');
  // adding or removing a connection that does not exist: the service's 404 (2022-06-01)
  r = await call('PUT', URL_ONE, `/api/hubs/chat/groups/${room}/connections/${id}`, { query: V });
  assert.equal(r.status, 404);
  assert.equal(r.errorCode, 'Error.Connection.NotExisted');
  assert.equal(r.body.code, 'Error.Connection.NotExisted');
});

test('closing connections on the other instance: one with a reason, a user\'s, a group\'s, all', async (t) => {
  const carol = await connect(URL_TWO, TOKEN_CAROL, true);
  const daveOne = await connect(URL_ONE, TOKEN_DAVE, false);
  const daveTwo = await connect(URL_TWO, TOKEN_DAVE, false);
  const alice = await connect(URL_TWO, TOKEN_ALICE, false);
  const bob = await connect(URL_ONE, TOKEN_BOB, true);
  const bobTwo = await connect(URL_TWO, TOKEN_BOB, false);
  t.after(() => stopAll(carol, daveOne, daveTwo, alice, bob, bobTwo));

  // one connection, with a reason: the client sees the close and the reason
  let r = await call('DELETE', URL_ONE, `/api/hubs/chat/connections/${carol.connectionId}`, { query: `${V}&reason=${encodeURIComponent('maintenance: bye')}` });
  assert.equal(r.status, 200);
  const error = await carol.closed;
  assert.ok(error, 'closed without an error');
  assert.match(error.message, /maintenance: bye/);
  assert.equal(carol.state, signalR.HubConnectionState.Disconnected);
  r = await call('DELETE', URL_ONE, '/api/hubs/chat/connections/no-such-connection', { query: V });
  assert.equal(r.status, 404);
  assert.equal(r.errorCode, 'Warning.Connection.NotExisted');
  assert.equal((await call('DELETE', URL_ONE, '/api/v1/hubs/chat/connections/no-such-connection')).status, 202);

  // a user's connections except one
  r = await call('POST', URL_ONE, '/api/hubs/chat/users/dave/:closeConnections', { query: `${V}&excluded=${daveOne.connectionId}&reason=user-closed` });
  assert.equal(r.status, 204);
  assert.match((await daveTwo.closed).message, /user-closed/);
  assert.equal(daveOne.state, signalR.HubConnectionState.Connected);

  // a group's connections
  const g = unique('doomed');
  assert.equal((await call('PUT', URL_ONE, `/api/hubs/chat/groups/${g}/connections/${alice.connectionId}`, { query: V })).status, 200);
  r = await call('POST', URL_ONE, `/api/hubs/chat/groups/${g}/:closeConnections`, { query: V });
  assert.equal(r.status, 204);
  assert.equal(await alice.closed, null, 'a close without a reason carries no error');

  // every connection of the hub except one, with a reason
  r = await call('POST', URL_TWO, '/api/hubs/chat/:closeConnections', { query: `${V}&excluded=${bobTwo.connectionId}&reason=all-closed` });
  assert.equal(r.status, 204);
  assert.match((await daveOne.closed).message, /all-closed/);
  assert.match((await bob.closed).message, /all-closed/);
  assert.equal(bobTwo.state, signalR.HubConnectionState.Connected);
  bobTwo.user = 'bob';
  bobTwo.inbox.length = 0;
  await fence(URL_TWO, [bobTwo]);
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
  // a token for one operation is refused by another, and a token of instance one by instance two
  r = await call('DELETE', URL_ONE, '/api/hubs/chat/users/alice/groups', { query: V, aud: `${URL_ONE}/api/hubs/chat/users/alice/groups/x` });
  assert.equal(r.status, 403);
  r = await call('HEAD', URL_TWO, '/api/hubs/chat/users/alice', { query: V, aud: `${URL_ONE}/api/hubs/chat/users/alice` });
  assert.equal(r.status, 403);
  r = await call('POST', URL_ONE, '/api/hubs/chat/:closeConnections', { query: V, token: null });
  assert.equal(r.status, 401);

  r = await call('POST', URL_ONE, '/api/hubs/nosuchhub/:send', { body });
  assert.equal(r.status, 404);
  assert.equal(r.body.code, 'Error.HubNotFound');
  assert.equal(r.errorCode, 'Error.HubNotFound');
  r = await call('POST', URL_ONE, path, { body, query: `${V}&application=otherapp` });
  assert.equal(r.status, 404, 'an application prefix names a hub this server does not have');
  r = await call('POST', URL_ONE, path, { body: { arguments: [] } });
  assert.equal(r.status, 400);
  assert.match(r.body.message, /target/);
  assert.equal(r.errorCode, 'Error.InvalidPayload');
  r = await call('POST', URL_ONE, '/api/hubs/9bad/:send', { body });
  assert.equal(r.status, 400);
  assert.equal(r.body.code, 'Error.InvalidHubName');

  // bad input of the new operations: 400 with the error object and x-ms-error-code
  for (const [method, p, query, code] of [
    ['PUT', '/api/hubs/chat/users/alice/groups/g', `${V}&ttl=-1`, 'Error.InvalidTtl'],
    ['PUT', '/api/hubs/chat/users/alice/groups/g', `${V}&ttl=soon`, 'Error.InvalidTtl'],
    ['PUT', '/api/v1/hubs/chat/groups/g/users/alice', '?ttl=2147483648', 'Error.InvalidTtl'],
    ['PUT', `/api/hubs/chat/users/alice/groups/${'g'.repeat(1025)}`, V, 'Error.InvalidGroupName'],
    ['HEAD', '/api/hubs/chat/groups/%20%20', V, 'Error.InvalidGroupName'],
    ['DELETE', '/api/hubs/chat/connections/x', `${V}&reason=${'r'.repeat(1025)}`, 'Error.InvalidReason'],
    ['POST', '/api/hubs/chat/:closeConnections', `${V}${'&excluded=x'.repeat(501)}`, 'Error.InvalidExcluded'],
  ]) {
    r = await call(method, URL_ONE, p, { query });
    assert.equal(r.status, 400, `${method} ${p.slice(0, 60)} ${query.slice(0, 40)}`);
    assert.equal(r.errorCode, code, `${method} ${p.slice(0, 60)}`);
    if (method !== 'HEAD') assert.equal(r.body.code, code);
  }

  // the service's health, anonymous
  assert.equal((await call('HEAD', URL_ONE, '/api/health', { query: V, token: null })).status, 200);
  assert.equal((await call('GET', URL_TWO, '/api/v1/health', { token: null })).status, 200);
  // the chat API's own routes still want user tokens
  r = await call('GET', URL_ONE, '/api/v1/rooms', { token: null });
  assert.equal(r.status, 401);
});
