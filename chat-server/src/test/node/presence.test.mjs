// Presence with the official @microsoft/signalr client: UserOnline / UserOffline and
// GET /api/v1/rooms/{id}/online, in-process on one instance and shared through Redis by two
// instances (PostgreSQL schema of its own), several devices per user, a reconnect within the grace
// making no noise, and kill -9 of an instance taking its users offline within 30 s. User ids are
// unique per run: Redis is shared with other test runs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startServer, stopServer, devToken, createRoom, connect, api, waitUntil, DATABASE_URL, psql } from './helpers.mjs';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const SCHEMA = 'chat_presence_it_' + randomBytes(4).toString('hex');
const run = randomBytes(3).toString('hex');
const id = (name) => `${name}-${run}`;
const GRACE_MS = 1000;
const env = {
  REDIS_URL,
  DATABASE_URL,
  DB_SCHEMA: SCHEMA,
  DB_STARTUP_TIMEOUT: '5s',
  JWT_SECRET: randomBytes(32).toString('hex'),
  PRESENCE_GRACE: `${GRACE_MS}ms`,
  // A dead instance's users are swept once its lease lapses: a short lease keeps the kill -9 test
  // well inside its 30 s promise on a loaded machine (the default is 15 s, swept every 5 s).
  PRESENCE_LEASE: '6s',
};
const servers = [];
const open = [];
let a;
let b;


before(async () => {
  a = await startServer({ ...env, CHAT_INSTANCE_ID: 'instance-a' });
  servers.push(a);
  b = await startServer({ ...env, CHAT_INSTANCE_ID: 'instance-b' });
  servers.push(b);
});

after(async () => {
  await Promise.all(open.map((c) => c.stop().catch(() => {})));
  await Promise.all(servers.map((s) => stopServer(s)));
  psql(`set client_min_messages = warning; drop schema if exists ${SCHEMA} cascade`);
});

async function device(server, token) {
  const c = await connect(server.url, token);
  for (const name of ['UserOnline', 'UserOffline']) {
    c.on(name, (arg) => {
      c.events.push({ name, arg });
    });
  }
  open.push(c);
  return c;
}

const online = async (server, token, roomId) => {
  const r = await api(server.url, 'GET', `/api/v1/rooms/${roomId}/online`, token);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.map((u) => u.userId);
};
const count = (c, name, userId) => c.received(name).filter((e) => e.userId === userId).length;

/**
 * The user joins the room on a device that then closes: the room's group is then the user's
 * (events go to the rooms a user joined), and the user is offline again once `watcher` heard so.
 */
async function joinedAndGone(server, token, userId, roomId, watcher) {
  const first = await device(server, token);
  await first.invoke('JoinRoom', roomId);
  await first.stop();
  await watcher.waitFor('UserOffline', (e) => e.userId === userId, 10_000);
  watcher.events.length = 0;
}

test('two instances, two devices: one UserOnline, one UserOffline after the last device, none for a quick reconnect', { timeout: 120_000 }, async () => {
  const alice = id('alice');
  const bob = id('bob');
  const aliceToken = await devToken(a.url, alice, 'Alice');
  const bobToken = await devToken(b.url, bob, 'Bob');
  const room = await createRoom(a.url, aliceToken, 'Presence');
  const watcher = await device(b, bobToken);
  await watcher.invoke('JoinRoom', room.id);
  await joinedAndGone(a, aliceToken, alice, room.id, watcher);
  const setup = await device(a, aliceToken);
  await watcher.waitFor('UserOnline', (e) => e.userId === alice);
  assert.deepEqual(await online(a, aliceToken, room.id), [alice, bob].sort());
  assert.deepEqual(await online(b, bobToken, room.id), [alice, bob].sort());

  // A second device on the other instance: no second UserOnline.
  const phone = await device(b, aliceToken);
  await new Promise((r) => setTimeout(r, GRACE_MS + 1500));
  assert.equal(count(watcher, 'UserOnline', alice), 1);
  const event = watcher.received('UserOnline').find((e) => e.userId === alice);
  assert.deepEqual(event, { roomId: room.id, userId: alice, userName: 'Alice' });

  // One device closes: still online, no event.
  await setup.stop();
  await new Promise((r) => setTimeout(r, GRACE_MS + 1500));
  assert.equal(count(watcher, 'UserOffline', alice), 0);
  assert.ok((await online(a, aliceToken, room.id)).includes(alice));

  // The last one closes and a new one opens within the grace: no noise.
  await phone.stop();
  const again = await device(a, aliceToken);
  await new Promise((r) => setTimeout(r, GRACE_MS + 1500));
  assert.equal(count(watcher, 'UserOffline', alice), 0, 'a reconnect within the grace is silent');
  assert.equal(count(watcher, 'UserOnline', alice), 1);

  // The last one closes for good: one UserOffline, and the online lists agree.
  await again.stop();
  const off = await watcher.waitFor('UserOffline', (e) => e.userId === alice, 10_000);
  assert.deepEqual(off, { roomId: room.id, userId: alice, userName: 'Alice' });
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(count(watcher, 'UserOffline', alice), 1);
  assert.deepEqual(await online(a, bobToken, room.id), [bob]);
  assert.deepEqual(await online(b, bobToken, room.id), [bob]);
});

test('kill -9 of an instance: its users go offline on the other within 30 s', { timeout: 120_000 }, async () => {
  const c = await startServer({ ...env, CHAT_INSTANCE_ID: 'instance-c' });
  servers.push(c);
  const carol = id('carol');
  const dave = id('dave');
  const carolToken = await devToken(c.url, carol, 'Carol');
  const daveToken = await devToken(b.url, dave, 'Dave');
  const room = await createRoom(b.url, daveToken, 'Crash');
  const watcher = await device(b, daveToken);
  await watcher.invoke('JoinRoom', room.id);
  await joinedAndGone(b, carolToken, carol, room.id, watcher);
  await device(c, carolToken);
  await device(c, carolToken); // a second device on the same instance
  await watcher.waitFor('UserOnline', (e) => e.userId === carol);
  assert.deepEqual(await online(b, daveToken, room.id), [carol, dave].sort());

  const killedAt = Date.now();
  c.child.kill('SIGKILL');
  await c.exited;
  await watcher.waitFor('UserOffline', (e) => e.userId === carol, 35_000);
  const took = Date.now() - killedAt;
  console.log(`kill -9: UserOffline reached the other instance ${took} ms after the kill`);
  assert.ok(took < 30_000, `offline after ${took} ms`);
  assert.deepEqual(await online(b, daveToken, room.id), [dave]);
  assert.equal(count(watcher, 'UserOffline', carol), 1);
});

test('private rooms: the online list needs access and lists participants only', async () => {
  const erin = id('erin');
  const frank = id('frank');
  const erinToken = await devToken(a.url, erin, 'Erin');
  const frankToken = await devToken(a.url, frank, 'Frank');
  const room = await createRoom(a.url, erinToken, 'Secret', true);
  await device(a, erinToken);
  await device(b, frankToken); // online, but not in the room
  await waitUntil(async () => (await online(a, erinToken, room.id)).includes(erin), 10_000, 'erin online');
  assert.deepEqual(await online(a, erinToken, room.id), [erin]);
  const denied = await api(a.url, 'GET', `/api/v1/rooms/${room.id}/online`, frankToken);
  assert.equal(denied.status, 403);
  assert.equal(denied.type, 'application/problem+json');
  assert.equal((await api(a.url, 'GET', '/api/v1/rooms/0193f1a2-7c4e-7d2a-9b1c-3f0e5a6b7c8d/online', erinToken)).status, 404);
  assert.equal((await api(a.url, 'GET', `/api/v1/rooms/${room.id}/online`, null)).status, 401);
});

test('in-process (no Redis): the same events and list on one instance', { timeout: 60_000 }, async () => {
  const solo = await startServer({ CHAT_STORE: 'memory', PRESENCE_GRACE: `${GRACE_MS}ms` });
  servers.push(solo);
  const gina = await devToken(solo.url, 'gina', 'Gina');
  const hank = await devToken(solo.url, 'hank', 'Hank');
  const room = await createRoom(solo.url, gina, 'Solo');
  const watcher = await device(solo, gina);
  await watcher.invoke('JoinRoom', room.id);
  const h = await device(solo, hank);
  await h.invoke('JoinRoom', room.id);
  // hank joined after connecting: his UserOnline went to his rooms at connect time (none yet), so
  // the list is what tells gina; the next connection's events reach the room.
  assert.deepEqual(await online(solo, gina, room.id), ['gina', 'hank']);
  await h.stop();
  assert.deepEqual(await watcher.waitFor('UserOffline', (e) => e.userId === 'hank'), { roomId: room.id, userId: 'hank', userName: 'Hank' });
  // The presence thread sends in order, so a UserOnline for that first connection would have
  // reached gina before this UserOffline: the room hank joined after connecting got UserJoined only.
  assert.equal(count(watcher, 'UserOnline', 'hank'), 0);
  assert.deepEqual(await online(solo, gina, room.id), ['gina']);
  await device(solo, hank);
  assert.deepEqual(await watcher.waitFor('UserOnline', (e) => e.userId === 'hank'), { roomId: room.id, userId: 'hank', userName: 'Hank' });
});
