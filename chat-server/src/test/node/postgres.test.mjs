// The jar against the real PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test,
// in a schema of its own): rooms, messages and joined rooms survive a restart of the server, and a
// user who joined a room is back in its group on the first connection after the restart.
// Fails (never skips) when PostgreSQL does not answer.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startServer, stopServer, devToken, api, createRoom, connect, DATABASE_URL, psql } from './helpers.mjs';

const SCHEMA = 'chat_server_it_' + randomBytes(4).toString('hex');
const env = { DATABASE_URL, DB_SCHEMA: SCHEMA, DB_STARTUP_TIMEOUT: '5s' };


after(() => {
  psql(`drop schema if exists ${SCHEMA} cascade`);
});

test('rooms, history and joined rooms survive a restart on external PostgreSQL', { timeout: 180_000 }, async () => {
  let server = await startServer(env);
  let room;
  let sent;
  try {
    assert.match(server.output, /store PostgreSQL, backplane in-process/);
    const health = await api(server.url, 'GET', '/health');
    assert.equal(health.body.entries.store.status, 'healthy');
    const alice = await devToken(server.url, 'alice', 'Alice');
    const bob = await devToken(server.url, 'bob', 'Bob');
    room = await createRoom(server.url, alice, 'Durable', true);
    assert.equal((await api(server.url, 'POST', `/api/v1/rooms/${room.id}/participants`, alice, { userId: 'bob' })).status, 204);
    const b = await connect(server.url, bob);
    await b.invoke('JoinRoom', room.id);
    sent = await b.invoke('SendMessage', room.id, 'written before the restart ✓');
    await b.stop();
  } finally {
    await stopServer(server);
  }
  assert.equal(psql(`select count(*) from ${SCHEMA}.messages`).trim(), '1');

  server = await startServer(env); // a new process, a new signing key: new tokens
  try {
    const alice = await devToken(server.url, 'alice', 'Alice');
    const bob = await devToken(server.url, 'bob', 'Bob');
    const rooms = await api(server.url, 'GET', '/api/v1/rooms', bob);
    assert.deepEqual(rooms.body.map((r) => r.id), [room.id]);
    const history = await api(server.url, 'GET', `/api/v1/rooms/${room.id}/messages`, bob);
    assert.deepEqual(history.body.items, [sent]);
    const b = await connect(server.url, bob); // never calls JoinRoom after the restart
    const a = await connect(server.url, alice);
    await a.invoke('JoinRoom', room.id);
    const m = await a.invoke('SendMessage', room.id, 'after the restart');
    assert.equal((await b.waitFor('ReceiveMessage', (x) => x.id === m.id)).content, 'after the restart');
    await Promise.all([a.stop(), b.stop()]);
  } finally {
    await stopServer(server);
  }
});
