// Two chat-server processes sharing Redis (REDIS_URL, default redis://127.0.0.1:6379) and
// PostgreSQL (DATABASE_URL, a schema of its own): room messages cross both ways, and a user
// connected to both instances receives on both. Fails (never skips) when Redis or PostgreSQL
// does not answer.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startServer, stopServer, devToken, api, createRoom, connect, waitUntil, DATABASE_URL, psql } from './helpers.mjs';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const SCHEMA = 'chat_redis_it_' + randomBytes(4).toString('hex');
const SECRET = randomBytes(32).toString('hex');
const env = { REDIS_URL, DATABASE_URL, DB_SCHEMA: SCHEMA, JWT_SECRET: SECRET, DB_STARTUP_TIMEOUT: '5s' };


const servers = [];
after(async () => {
  await Promise.all(servers.map((s) => stopServer(s)));
  psql(`drop schema if exists ${SCHEMA} cascade`);
});

test('two instances share Redis: room messages cross both ways, a user on both gets both', { timeout: 180_000 }, async () => {
  // Start one first so that it creates the schema, then the second.
  const a = await startServer(env);
  servers.push(a);
  const b = await startServer(env);
  servers.push(b);
  for (const s of [a, b]) {
    assert.match(s.output, /backplane redis/);
    const ready = await api(s.url, 'GET', '/health/ready');
    assert.equal(ready.status, 200, JSON.stringify(ready.body));
    const health = await api(s.url, 'GET', '/health');
    assert.equal(health.body.entries.backplane.status, 'healthy');
  }

  const aliceToken = await devToken(a.url, 'alice', 'Alice'); // same JWT_SECRET: valid on both
  const bobToken = await devToken(b.url, 'bob', 'Bob');
  const room = await createRoom(a.url, aliceToken, 'Across', false);

  const aliceOnA = await connect(a.url, aliceToken, { transport: 'WebSockets' });
  const bobOnB = await connect(b.url, bobToken, { transport: 'WebSockets', protocol: 'messagepack' });
  await aliceOnA.invoke('JoinRoom', room.id);
  await bobOnB.invoke('JoinRoom', room.id);
  await aliceOnA.waitFor('UserJoined', (e) => e.userId === 'bob' && e.roomId === room.id);

  const fromA = await aliceOnA.invoke('SendMessage', room.id, 'from instance A');
  assert.equal((await bobOnB.waitFor('ReceiveMessage', (m) => m.id === fromA.id)).content, 'from instance A');
  const fromB = await bobOnB.invoke('SendMessage', room.id, 'from instance B ✓');
  assert.equal((await aliceOnA.waitFor('ReceiveMessage', (m) => m.id === fromB.id)).content, 'from instance B ✓');

  // Alice also connects to B (a second device): her joined room follows her there.
  const aliceOnB = await connect(b.url, aliceToken, { transport: 'LongPolling' });
  const again = await bobOnB.invoke('SendMessage', room.id, 'to both of alice\'s devices');
  await aliceOnA.waitFor('ReceiveMessage', (m) => m.id === again.id);
  await aliceOnB.waitFor('ReceiveMessage', (m) => m.id === again.id);

  // Many messages from both sides: each arrives exactly once on each side, and each sender's
  // messages in the order they were sent (across instances there is no global order).
  const sent = [];
  for (let i = 0; i < 40; i++) {
    sent.push((await (i % 2 ? aliceOnA : bobOnB).invoke('SendMessage', room.id, `burst ${i}`)).id);
  }
  for (const c of [aliceOnA, bobOnB, aliceOnB]) {
    await waitUntil(() => sent.every((id) => c.received('ReceiveMessage').some((m) => m.id === id)), 15_000, 'the burst');
    const ids = c.received('ReceiveMessage').map((m) => m.id).filter((id) => sent.includes(id));
    assert.equal(ids.length, sent.length, 'each message exactly once');
    assert.deepEqual([...ids].sort(), [...sent].sort());
    for (const parity of [0, 1]) {
      const mine = sent.filter((_, i) => i % 2 === parity);
      assert.deepEqual(ids.filter((id) => mine.includes(id)), mine, 'per-sender order');
    }
  }
  await Promise.all([aliceOnA.stop(), bobOnB.stop(), aliceOnB.stop()]);
});
