// The abuse suite (issue #27; the reliability issue's abuse suite grows from here): what an
// attacker tried against the built jar, from outside the process, and what each attempt gets now.
// Every finding has a test here that failed before its fix. The chat-server README's "Abuse" table
// lists them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { hostname } from 'node:os';
import { startServer, stopServer, api, devToken, connect, createRoom } from './helpers.mjs';

const SECRET = 'an-abuse-test-secret-of-at-least-32-bytes!';

/** An HS256 JWT made here, as an external identity provider would. */
function jwt(claims, secret = SECRET) {
  const enc = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = enc({ alg: 'HS256', typ: 'JWT' }) + '.' + enc(claims);
  return body + '.' + createHmac('sha256', secret).update(body).digest('base64url');
}

let dev; // Development, its defaults (0.0.0.0), a small room-creation limit
let prod; // Production through the ASPNETCORE_ENVIRONMENT alias

before(async () => {
  [dev, prod] = await Promise.all([
    startServer({ CHAT_STORE: 'memory', ROOM_CREATION_RATE_LIMIT: '4/1m' }),
    startServer({ CHAT_STORE: 'memory', ASPNETCORE_ENVIRONMENT: 'Production', JWT_SECRET: SECRET }),
  ]);
});

after(async () => {
  await Promise.all([stopServer(dev), stopServer(prod)]);
});

test('ASPNETCORE_ENVIRONMENT is accepted as the alias of CHAT_ENVIRONMENT', () => {
  assert.match(prod.output, /Chat server listening on \S+ \(environment Production,/);
});

test('#27.6 a Development server on a non-loopback address logs a loud warning; Production does not', () => {
  assert.match(dev.output, /WARN .*DEVELOPMENT SERVER ON A NETWORK ADDRESS: listening on 0\.0\.0\.0/);
  assert.doesNotMatch(prod.output, /DEVELOPMENT SERVER ON A NETWORK ADDRESS/);
});

test('#27.3 room creation is limited per user: 429 with Retry-After, other users unaffected', async () => {
  const mallory = await devToken(dev.url, 'mallory-rooms');
  for (let i = 0; i < 4; i++) await createRoom(dev.url, mallory, 'flood ' + i);
  const refused = await api(dev.url, 'POST', '/api/v1/rooms', mallory, { name: 'one too many' });
  assert.equal(refused.status, 429);
  assert.match(refused.type, /application\/problem\+json/);
  assert.match(refused.body.detail, /at most 4 per minute/);
  const retryAfter = Number(refused.headers.get('retry-after'));
  assert.ok(retryAfter >= 1 && retryAfter <= 60, 'Retry-After ' + retryAfter);
  const listed = await api(dev.url, 'GET', '/api/v1/rooms', mallory);
  assert.equal(listed.body.filter((r) => r.name === 'one too many').length, 0, 'nothing was created');
  await createRoom(dev.url, await devToken(dev.url, 'innocent-rooms'), 'still fine');
});

test('#27.3 the room list pages with ?limit=&after= and a Link header; the default answer keeps its shape', async () => {
  const users = ['pager-a', 'pager-b', 'pager-c'];
  const tokens = await Promise.all(users.map((u) => devToken(dev.url, u)));
  const secret = await createRoom(dev.url, tokens[2], 'c only', true);
  for (const t of tokens.slice(0, 2)) {
    for (let i = 0; i < 3; i++) await createRoom(dev.url, t, 'page ' + i, i === 2);
  }
  const viewer = tokens[0];
  const all = await api(dev.url, 'GET', '/api/v1/rooms', viewer);
  assert.equal(all.status, 200);
  assert.ok(Array.isArray(all.body), 'still a JSON array of rooms');
  assert.equal(all.headers.get('link'), null, 'a small list is one page');
  assert.ok(all.body.length >= 5);
  assert.deepEqual(Object.keys(all.body[0]).sort(), ['createdAt', 'createdBy', 'id', 'isPrivate', 'name']);

  for (const limit of [1, 2, 5]) {
    const seen = [];
    let path = `/api/v1/rooms?limit=${limit}`;
    for (let pages = 0; path; pages++) {
      assert.ok(pages <= all.body.length, 'the pages end');
      const page = await api(dev.url, 'GET', path, viewer);
      assert.equal(page.status, 200);
      assert.ok(Array.isArray(page.body) && page.body.length <= limit);
      seen.push(...page.body);
      const link = page.headers.get('link');
      path = link ? /^<([^>]+)>; rel="next"$/.exec(link)[1] : null;
    }
    assert.deepEqual(seen.map((r) => r.id), all.body.map((r) => r.id), 'limit ' + limit + ': every room once, in order');
  }
  for (const bad of ['limit=0', 'limit=501', 'limit=ten', 'after=nope', 'after=' + secret.id]) {
    const r = await api(dev.url, 'GET', '/api/v1/rooms?' + bad, viewer);
    assert.equal(r.status, 400, bad);
    assert.match(r.type, /application\/problem\+json/);
  }
});

test('#27.7 in Production the dev-token path is 404 for every method, not 405', async () => {
  for (const method of ['GET', 'POST', 'PUT', 'DELETE']) {
    const r = await api(prod.url, method, '/api/v1/auth/dev-token', null, method === 'GET' ? undefined : { userId: 'x' });
    assert.equal(r.status, 404, method);
  }
});

test('#27.7 /health hides dependency details in Production; X-Chat-Instance is no host name', async () => {
  const h = await api(prod.url, 'GET', '/health');
  assert.equal(h.status, 200);
  assert.deepEqual(Object.keys(h.body.entries), ['store', 'backplane', 'assistant']);
  assert.equal(h.body.entries.store.detail, 'ok');
  assert.equal(h.body.entries.backplane.detail, 'ok');
  assert.equal(h.body.entries.assistant.detail, 'disabled');
  const d = await api(dev.url, 'GET', '/health');
  assert.match(d.body.entries.store.detail, /memory/, 'Development keeps the details');
  for (const server of [dev, prod]) {
    const instance = (await api(server.url, 'GET', '/health/live')).headers.get('x-chat-instance');
    assert.match(instance, /^instance-[0-9a-f]{12}$/);
    assert.ok(!instance.includes(hostname()));
  }
});

test('#27.7 display names: bidi overrides and controls are refused for dev tokens and removed from tokens', async () => {
  for (const name of ['\u202Eecila', 'bob\u2066', 'tab\there', 'next\u0085line']) {
    const r = await api(dev.url, 'POST', '/api/v1/auth/dev-token', null, { userId: 'spoof', name });
    assert.equal(r.status, 400, JSON.stringify(name));
    assert.match(r.body.detail, /control characters or bidirectional formatting characters/);
  }
  const exp = Math.floor(Date.now() / 1000) + 600;
  const alice = jwt({ sub: 'alice-names', name: 'Alice', exp });
  const spoofer = jwt({ sub: 'spoofer', name: '\u202Eecil\u200FA\u0007', exp });
  const room = await createRoom(prod.url, alice, 'names');
  const a = await connect(prod.url, alice);
  const s = await connect(prod.url, spoofer);
  try {
    await a.invoke('JoinRoom', room.id);
    await s.invoke('JoinRoom', room.id);
    const joined = await a.waitFor('UserJoined', (e) => e.userId === 'spoofer');
    assert.equal(joined.userName, 'ecilA');
  } finally {
    await Promise.all([a.stop(), s.stop()]);
  }
});
