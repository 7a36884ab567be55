// The abuse suite (issue #27; the reliability issue's abuse suite grows from here): what an
// attacker tried against the built jar, from outside the process, and what each attempt gets now.
// Every finding has a test here that failed before its fix. The chat-server README's "Abuse" table
// lists them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { hostname, tmpdir } from 'node:os';
import { connect as tcpConnect } from 'node:net';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, stopServer, api, devToken, connect, createRoom, waitUntil } from './helpers.mjs';

const SECRET = 'an-abuse-test-secret-of-at-least-32-bytes!';

/** An HS256 JWT made here, as an external identity provider would. */
function jwt(claims, secret = SECRET) {
  const enc = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = enc({ alg: 'HS256', typ: 'JWT' }) + '.' + enc(claims);
  return body + '.' + createHmac('sha256', secret).update(body).digest('base64url');
}

let dev; // Development, its defaults (0.0.0.0), a small room-creation limit
let prod; // Production through the ASPNETCORE_ENVIRONMENT alias, a small cap on open connections
let tight; // Production with short HTTP timeouts and the hub core at DEBUG
const logDir = mkdtempSync(join(tmpdir(), 'abuse-logback-'));
const TIMEOUT_MS = 1000;
const PER_ADDRESS = 12;
const TOTAL_CAP = 40;

before(async () => {
  const logback = join(logDir, 'logback.xml');
  writeFileSync(logback, `<configuration>
  <appender name="STDOUT" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%-5level %logger{36} - %msg%n</pattern></encoder>
  </appender>
  <logger name="org.jvmchat.hub.internal" level="DEBUG"/>
  <root level="INFO"><appender-ref ref="STDOUT"/></root>
</configuration>`);
  [dev, prod, tight] = await Promise.all([
    startServer({
      CHAT_STORE: 'memory',
      ROOM_CREATION_RATE_LIMIT: '4/1m',
    }),
    startServer({
      CHAT_STORE: 'memory',
      ASPNETCORE_ENVIRONMENT: 'Production',
      JWT_SECRET: SECRET,
      MAX_HTTP_CONNECTIONS: String(TOTAL_CAP),
    }),
    startServer({
      CHAT_STORE: 'memory',
      CHAT_ENVIRONMENT: 'Production',
      JWT_SECRET: SECRET,
      HTTP_REQUEST_HEADERS_TIMEOUT: `${TIMEOUT_MS}ms`,
      HTTP_REQUEST_BODY_TIMEOUT: `${TIMEOUT_MS}ms`,
      HTTP_KEEP_ALIVE_TIMEOUT: `${TIMEOUT_MS}ms`,
      JAVA_TOOL_OPTIONS: `-Dlogback.configurationFile=${logback}`,
    }),
  ]);
});

after(async () => {
  await Promise.all([stopServer(dev), stopServer(prod), stopServer(tight)]);
  rmSync(logDir, { recursive: true, force: true });
});

/**
 * A raw TCP connection to the server: resolves {socket, text(), closed} once connected; `text()`
 * is everything received so far, `closed` resolves (with the elapsed ms) when the server ends it.
 */
async function rawSocket(url) {
  const { hostname: host, port } = new URL(url);
  const socket = tcpConnect({ host: host === 'localhost' ? '127.0.0.1' : host, port: Number(port) });
  let received = '';
  const opened = Date.now();
  socket.on('data', (d) => (received += d));
  socket.on('error', () => {});
  const closed = new Promise((res) => socket.on('close', () => res(Date.now() - opened)));
  await new Promise((res, rej) => {
    socket.once('connect', res);
    socket.once('error', rej);
  });
  return { socket, text: () => received, closed };
}

/** Resolves with the elapsed ms when `p` settles first, or null after `ms`. */
function within(p, ms) {
  let timer;
  return Promise.race([p, new Promise((res) => (timer = setTimeout(() => res(null), ms)))]).finally(() =>
    clearTimeout(timer));
}

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

test('#27.1 an idle socket, before or between requests, is closed after the keep-alive timeout', async () => {
  const idle = await rawSocket(tight.url);
  const elapsed = await within(idle.closed, TIMEOUT_MS * 6);
  assert.ok(elapsed !== null, 'the idle socket is still open');
  assert.ok(elapsed >= TIMEOUT_MS * 0.8, 'closed after ' + elapsed + ' ms');
  assert.equal(idle.text(), '', 'nothing is sent to a connection that asked nothing');

  const kept = await rawSocket(tight.url);
  kept.socket.write('GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.ok((await within(kept.closed, TIMEOUT_MS * 6)) !== null, 'the keep-alive socket is still open');
  assert.match(kept.text(), /^HTTP\/1\.1 200 OK/);
});

test('#27.1 a request head or body that trickles in gets 408 and the socket is closed (slowloris)', async () => {
  const head = await rawSocket(tight.url);
  head.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n');
  assert.ok((await within(head.closed, TIMEOUT_MS * 6)) !== null, 'the half-header socket is still open');
  assert.match(head.text(), /^HTTP\/1\.1 408 Request Timeout/);

  const body = await rawSocket(tight.url);
  body.socket.write('POST /api/v1/auth/dev-token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
    + 'Content-Length: 100\r\n\r\n{"userId"');
  assert.ok((await within(body.closed, TIMEOUT_MS * 6)) !== null, 'the half-body socket is still open');
  assert.match(body.text(), /^HTTP\/1\.1 408 Request Timeout/);
});

test('#27.1 connections over the per-address cap get 503 and are closed; the others are served', { timeout: 90_000 }, async () => {
  // A server of its own: no pooled fetch connection and no socket of another test (whose release
  // races the next accept) holds a place, and no short keep-alive timeout closes a held socket.
  const capped = await startServer({
    CHAT_STORE: 'memory',
    CHAT_ENVIRONMENT: 'Production',
    JWT_SECRET: SECRET,
    MAX_HTTP_CONNECTIONS_PER_ADDRESS: String(PER_ADDRESS),
  });
  const held = [];
  try {
    // Each held socket proves it was admitted with a keep-alive request answered 200, so the
    // places are taken one by one, in order, before the one over the cap connects.
    for (let i = 0; i < PER_ADDRESS; i++) {
      const h = await rawSocket(capped.url);
      held.push(h);
      h.socket.write('GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n');
      await waitUntil(async () => /^HTTP\/1\.1 200 OK/.test(h.text()), 10_000, 'held socket ' + i + ' admitted');
    }
    const refused = await rawSocket(capped.url);
    assert.ok((await within(refused.closed, 10_000)) !== null, 'the connection over the cap is still open');
    assert.match(refused.text(), /^HTTP\/1\.1 503 Service Unavailable/);
    assert.match(refused.text(), /Too many connections from this address/);
    for (const h of held) assert.equal(h.socket.destroyed, false, 'a held connection was closed');
  } finally {
    for (const h of held) h.socket.destroy();
  }
  try {
    await Promise.all(held.map((h) => h.closed));
    await waitUntil(async () => (await fetch(capped.url + '/health/live')).status === 200, 10_000,
      'closed connections free their places');
  } finally {
    await stopServer(capped);
  }
});

test('#27.1 connections over the total cap get 503 and are closed; closed ones free their places', async () => {
  // The test's own keep-alive connections count too: somewhere up to TOTAL_CAP + 1 sockets, one is refused.
  const held = [];
  try {
    for (let i = 0; i <= TOTAL_CAP; i++) held.push(await rawSocket(prod.url));
    assert.ok((await within(Promise.race(held.map((h) => h.closed)), 3000)) !== null, 'no connection was refused');
    const refused = held.filter((h) => h.text() !== '');
    assert.ok(refused.length >= 1);
    for (const r of refused) {
      assert.match(r.text(), /^HTTP\/1\.1 503 Service Unavailable/);
      assert.match(r.text(), /Too many connections to this server\./);
      assert.match(r.text(), /connection: close/i);
    }
  } finally {
    for (const h of held) h.socket.destroy();
  }
  await Promise.all(held.map((h) => h.closed));
  await waitUntil(async () => (await fetch(prod.url + '/health/live').catch(() => null))?.status === 200, 5000,
    'a request once the sockets closed');
});

test('#27.1 a large body without credentials is refused with 413 before it is read', async () => {
  const anonymous = await rawSocket(tight.url);
  anonymous.socket.write('POST /api/v1/rooms HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
    + 'Content-Length: 1048576\r\n\r\n{"name":"');
  assert.ok((await within(anonymous.closed, 3000)) !== null, 'the server waited for the body');
  assert.match(anonymous.text(), /^HTTP\/1\.1 413 Request Entity Too Large/);
  assert.match(anonymous.text(), /A request body over 65536 bytes needs valid credentials/);

  const forged = await rawSocket(tight.url);
  forged.socket.write('POST /api/v1/rooms HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer not.a.token\r\n'
    + 'Content-Length: 1048576\r\n\r\n{');
  assert.ok((await within(forged.closed, 3000)) !== null, 'a made-up token bought a 1 MiB buffer');
  assert.match(forged.text(), /^HTTP\/1\.1 413/);

  // With a valid token the body is read and the route answers (here: too large for JSON, 400).
  const token = jwt({ sub: 'big-body', exp: Math.floor(Date.now() / 1000) + 600 });
  const r = await fetch(tight.url + '/api/v1/rooms', {
    method: 'POST',
    headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'x'.repeat(100 * 1024) }),
  });
  assert.equal(r.status, 400);
});

test('#27.5 ?access_token= is refused outside the transports: REST and negotiate answer 401', async () => {
  const token = jwt({ sub: 'query-token', exp: Math.floor(Date.now() / 1000) + 600 });
  const q = '?access_token=' + encodeURIComponent(token);
  assert.equal((await fetch(tight.url + '/api/v1/rooms' + q, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"name":"via query"}',
  })).status, 401);
  assert.equal((await fetch(tight.url + '/api/v1/rooms' + q)).status, 401);
  assert.equal((await fetch(tight.url + '/hubs/chat/negotiate' + q + '&negotiateVersion=1', { method: 'POST' })).status, 401);
  assert.equal((await api(tight.url, 'GET', '/api/v1/rooms', token)).status, 200, 'the header works');
  // The official client sends the token in the query for WebSockets and SSE (GET): still accepted.
  for (const transport of ['WebSockets', 'ServerSentEvents']) {
    const c = await connect(tight.url, token, { transport });
    await c.stop();
  }
});

test('#27.7 a 401 logged at DEBUG shows the path, never the access_token', async () => {
  const secretish = 'eyJhbGciOiJIUzI1NiJ9.bm90LXZhbGlk.c2VjcmV0LXNpZ25hdHVyZQ';
  const r = await fetch(tight.url + '/hubs/chat?id=abc&access_token=' + secretish);
  assert.equal(r.status, 401);
  // The log line is written after the answer: await it.
  await waitUntil(() => /401 for GET \/hubs\/chat: /.test(tight.output), 5000, 'the 401 log line');
  assert.ok(!tight.output.includes(secretish), 'the token reached the log');
});
