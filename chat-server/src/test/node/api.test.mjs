// The HTTP API of CONTRACT.md as a client sees it, against the built jar on its embedded defaults
// (embedded PostgreSQL): rooms, history paging through 130 messages sent over the hub, every error
// status with problem+json, the dev token, health and metrics.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopServer, devToken, api, createRoom, connect, waitUntil } from './helpers.mjs';

let server;
let url;
let alice;
let bob;
const open = [];

before(async () => {
  server = await startServer();
  url = server.url;
  alice = await devToken(url, 'alice', 'Alice');
  bob = await devToken(url, 'bob', 'Bob');
});

after(async () => {
  await Promise.all(open.map((c) => c.stop().catch(() => {})));
  await stopServer(server);
});

function assertProblem(r, status, detailPattern) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.type, 'application/problem+json');
  assert.equal(r.body.status, status);
  assert.equal(typeof r.body.title, 'string');
  if (detailPattern) assert.match(r.body.detail, detailPattern);
}

test('the server logged one line with its URL', () => {
  const lines = server.output.split('\n').filter((l) => l.includes('Chat server listening on'));
  assert.equal(lines.length, 1);
  assert.match(lines[0], /http:\/\/localhost:\d+ \(environment Development, store embedded PostgreSQL, backplane in-process, assistant disabled\)/);
});

test('dev token: 200 {accessToken} for a user id and name; 400 for bad input', async () => {
  const r = await api(url, 'POST', '/api/v1/auth/dev-token', null, { userId: 'carol', name: 'Carol' });
  assert.equal(r.status, 200);
  assert.deepEqual(Object.keys(r.body), ['accessToken']);
  const [header, payload] = r.body.accessToken.split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url')));
  assert.equal(header.alg, 'HS256');
  assert.equal(payload.sub, 'carol');
  assert.equal(payload.name, 'Carol');
  assert.ok(payload.exp > Date.now() / 1000);
  assertProblem(await api(url, 'POST', '/api/v1/auth/dev-token', null, {}), 400, /userId is required/);
  assertProblem(await api(url, 'POST', '/api/v1/auth/dev-token', null, 'nope'), 400);
  assertProblem(await api(url, 'POST', '/api/v1/auth/dev-token', null, { userId: 'u'.repeat(65) }), 400, /64/);
});

test('rooms: create answers 201 with Location and the Room; list shows public and own private rooms', async () => {
  const r = await api(url, 'POST', '/api/v1/rooms', alice, { name: 'Lobby', isPrivate: false });
  assert.equal(r.status, 201);
  const room = r.body;
  assert.deepEqual(Object.keys(room), ['id', 'name', 'isPrivate', 'createdBy', 'createdAt']);
  assert.equal(room.name, 'Lobby');
  assert.equal(room.isPrivate, false);
  assert.equal(room.createdBy, 'alice');
  assert.equal(typeof room.id, 'string');
  assert.match(room.createdAt, /Z$/);
  assert.equal(r.headers.get('location'), '/api/v1/rooms/' + room.id);
  const secret = await createRoom(url, alice, 'Alice only', true);
  const defaultPublic = await api(url, 'POST', '/api/v1/rooms', bob, { name: 'No flag' });
  assert.equal(defaultPublic.body.isPrivate, false);

  const aliceRooms = (await api(url, 'GET', '/api/v1/rooms', alice)).body.map((x) => x.id);
  const bobRooms = (await api(url, 'GET', '/api/v1/rooms', bob)).body.map((x) => x.id);
  assert.ok(aliceRooms.includes(room.id) && aliceRooms.includes(secret.id));
  assert.ok(bobRooms.includes(room.id) && !bobRooms.includes(secret.id));
});

test('history: 130 messages sent over the hub page back in order with no loss or duplicate', async () => {
  const room = await createRoom(url, alice, 'History');
  const a = await connect(url, alice);
  open.push(a);
  await a.invoke('JoinRoom', room.id);
  const sent = [];
  for (let i = 0; i < 130; i++) {
    const m = await a.invoke('SendMessage', room.id, `message ${i}`);
    sent.push(m);
  }
  const first = await api(url, 'GET', `/api/v1/rooms/${room.id}/messages`, alice);
  assert.equal(first.status, 200);
  assert.equal(first.body.items.length, 50, 'the default limit is 50');
  assert.deepEqual(first.body.items, sent.slice(80));
  assert.equal(first.body.nextBefore, sent[80].id);

  for (const limit of [1, 7, 50, 200]) {
    const seen = [];
    let before = null;
    let pages = 0;
    do {
      const q = `limit=${limit}` + (before ? `&before=${before}` : '');
      const page = await api(url, 'GET', `/api/v1/rooms/${room.id}/messages?${q}`, alice);
      assert.equal(page.status, 200);
      assert.ok(page.body.items.length <= limit);
      seen.unshift(...page.body.items);
      before = page.body.nextBefore;
      pages++;
    } while (before);
    // nextBefore is null once nothing older is left (at most one extra empty page when the
    // oldest message ends a page exactly)
    assert.ok(pages >= Math.ceil(130 / limit) && pages <= Math.ceil(130 / limit) + 1, `pages ${pages}`);
    assert.deepEqual(seen.map((m) => m.id), sent.map((m) => m.id), `limit ${limit}`);
    assert.equal(new Set(seen.map((m) => m.id)).size, 130);
  }
});

test('history after a seq: every message once, oldest first, paged by nextAfter; before with after is 400', async () => {
  const room = await createRoom(url, alice, 'After');
  const a = await connect(url, alice);
  open.push(a);
  await a.invoke('JoinRoom', room.id);
  const sent = [];
  for (let i = 0; i < 60; i++) sent.push(await a.invoke('SendMessage', room.id, `after ${i}`));
  assert.deepEqual(sent.map((m) => m.seq), Array.from({ length: 60 }, (_, i) => i + 1));
  for (const limit of [1, 7, 50, 200]) {
    const seen = [];
    let after = 0;
    while (after !== null) {
      const page = await api(url, 'GET', `/api/v1/rooms/${room.id}/messages?after=${after}&limit=${limit}`, alice);
      assert.equal(page.status, 200);
      assert.deepEqual(Object.keys(page.body), ['items', 'nextAfter']);
      assert.ok(page.body.items.length <= limit);
      seen.push(...page.body.items);
      after = page.body.nextAfter;
      if (after !== null) assert.equal(after, page.body.items.at(-1).seq);
    }
    assert.deepEqual(seen, sent, `limit ${limit}`);
  }
  const tail = await api(url, 'GET', `/api/v1/rooms/${room.id}/messages?after=57`, alice);
  assert.deepEqual(tail.body, { items: sent.slice(57), nextAfter: null });
  assert.deepEqual((await api(url, 'GET', `/api/v1/rooms/${room.id}/messages?after=60`, alice)).body, { items: [], nextAfter: null });
  for (const q of ['after=-1', 'after=x', `after=0&before=${sent[5].id}`]) {
    assertProblem(await api(url, 'GET', `/api/v1/rooms/${room.id}/messages?${q}`, alice), 400);
  }
  assertProblem(await api(url, 'GET', `/api/v1/rooms/${room.id}/messages?after=3&before=${sent[5].id}`, alice), 400, /before and after/);
});

test('participants: 204; only a participant may add one; the added user can then read', async () => {
  const room = await createRoom(url, alice, 'Invite only', true);
  assertProblem(await api(url, 'GET', `/api/v1/rooms/${room.id}/messages`, bob), 403, /private/);
  assertProblem(await api(url, 'POST', `/api/v1/rooms/${room.id}/participants`, bob, { userId: 'bob' }), 403);
  const added = await api(url, 'POST', `/api/v1/rooms/${room.id}/participants`, alice, { userId: 'bob' });
  assert.equal(added.status, 204);
  assert.equal(added.body, '');
  assert.equal((await api(url, 'GET', `/api/v1/rooms/${room.id}/messages`, bob)).status, 200);
});

test('every error status: 400 bad input, 401 anonymous, 403 private, 404 unknown room', async () => {
  const room = await createRoom(url, alice, 'Errors');
  const priv = await createRoom(url, alice, 'Private errors', true);
  const unknown = '0193f1a2-7c4e-7d2a-9b1c-3f0e5a6b7c8d';
  // 400
  assertProblem(await api(url, 'POST', '/api/v1/rooms', alice, '{"name":'), 400, /not valid JSON/);
  assertProblem(await api(url, 'POST', '/api/v1/rooms', alice, {}), 400, /name is required/);
  assertProblem(await api(url, 'POST', '/api/v1/rooms', alice, { name: '' }), 400);
  assertProblem(await api(url, 'POST', '/api/v1/rooms', alice, { name: 'x'.repeat(101) }), 400, /100/);
  assertProblem(await api(url, 'POST', '/api/v1/rooms', alice, { name: 'ok', isPrivate: 'no' }), 400, /isPrivate/);
  for (const q of ['limit=0', 'limit=201', 'limit=ten', 'before=bogus']) {
    assertProblem(await api(url, 'GET', `/api/v1/rooms/${room.id}/messages?${q}`, alice), 400);
  }
  assertProblem(await api(url, 'GET', `/api/v1/rooms/${room.id}/messages?before=${unknown}`, alice), 400);
  assertProblem(await api(url, 'POST', `/api/v1/rooms/${room.id}/participants`, alice, { userId: 42 }), 400);
  // 401
  assertProblem(await api(url, 'GET', '/api/v1/rooms', null), 401);
  assertProblem(await api(url, 'POST', '/api/v1/rooms', null, { name: 'x' }), 401);
  assertProblem(await api(url, 'GET', `/api/v1/rooms/${room.id}/messages`, null), 401);
  assertProblem(await api(url, 'POST', `/api/v1/rooms/${room.id}/participants`, null, { userId: 'x' }), 401);
  assertProblem(await api(url, 'GET', '/api/v1/rooms', 'garbage'), 401);
  const r401 = await fetch(url + '/hubs/chat/negotiate?negotiateVersion=1', { method: 'POST' });
  assert.equal(r401.status, 401);
  // 403
  assertProblem(await api(url, 'GET', `/api/v1/rooms/${priv.id}/messages`, bob), 403);
  // 404
  assertProblem(await api(url, 'GET', `/api/v1/rooms/${unknown}/messages`, alice), 404, /no room/);
  assertProblem(await api(url, 'POST', `/api/v1/rooms/${unknown}/participants`, alice, { userId: 'bob' }), 404);
});

test('health: one entry per dependency; live and ready answer 200; none needs a token', async () => {
  const h = await api(url, 'GET', '/health');
  assert.equal(h.status, 200);
  assert.equal(h.body.status, 'healthy');
  assert.deepEqual(Object.keys(h.body.entries), ['store', 'backplane', 'assistant']);
  assert.equal(h.body.entries.store.status, 'healthy');
  assert.match(h.body.entries.store.detail, /embedded PostgreSQL/);
  assert.equal(h.body.entries.backplane.status, 'healthy');
  assert.equal(h.body.entries.assistant.status, 'disabled');
  assert.equal((await api(url, 'GET', '/health/live')).status, 200);
  assert.equal((await api(url, 'GET', '/health/ready')).status, 200);
});

test('metrics: Prometheus text with connections by transport and protocol, messages, latency, errors, JVM', async () => {
  const room = await createRoom(url, alice, 'Metrics');
  const c = await connect(url, alice, { transport: 'LongPolling', protocol: 'messagepack' });
  open.push(c);
  await c.invoke('JoinRoom', room.id);
  await c.invoke('SendMessage', room.id, 'counted');
  await c.invoke('SendMessage', room.id, '').catch(() => {});
  // The hub counts an invocation right after it writes the completion: wait for the refused one.
  const m = await waitUntil(async () => {
    const r = await api(url, 'GET', '/metrics');
    return r.status === 200 && /signalr_invocation_errors_total\{hub="\/hubs\/chat",method="SendMessage"\} [1-9]/.test(r.body) ? r : undefined;
  }, 10_000, 'the refused SendMessage in signalr_invocation_errors_total');
  assert.match(m.type, /^text\/plain/);
  const text = m.body;
  assert.match(text, /signalr_connections\{hub="\/hubs\/chat",protocol="messagepack",transport="LongPolling"\} 1\.0/);
  assert.match(text, /signalr_messages_received_total\{hub="\/hubs\/chat",protocol="messagepack"\} \d/);
  assert.match(text, /signalr_messages_sent_total\{hub="\/hubs\/chat",protocol="messagepack"\} \d/);
  assert.match(text, /signalr_invocations_seconds_count\{hub="\/hubs\/chat",method="SendMessage",outcome="success"\} \d/);
  assert.match(text, /signalr_invocation_errors_total\{hub="\/hubs\/chat",method="SendMessage"\} [1-9]/);
  assert.match(text, /chat_messages_stored_total [1-9]/);
  assert.match(text, /jvm_memory_used_bytes\{/);
  assert.match(text, /jvm_threads_live_threads /);
});

test('the chat page and the official SignalR browser bundles are served', async () => {
  const page = await fetch(url + '/');
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /text\/html/);
  const html = await page.text();
  assert.match(html, /\/js\/signalr\.min\.js/);
  for (const path of ['/js/signalr.min.js', '/js/signalr-protocol-msgpack.min.js', '/app.js', '/app.css']) {
    const r = await fetch(url + path);
    assert.equal(r.status, 200, path);
  }
  assert.equal((await fetch(url + '/js/missing.js')).status, 404);
});
