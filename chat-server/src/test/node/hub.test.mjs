// The hub /hubs/chat through the official @microsoft/signalr client against the built jar:
// two users, public and private rooms, every transport with both protocols, errors, typing,
// join/leave events, group state that outlives a connection, and stateful reconnect.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, stopServer, devToken, api, createRoom, connect, hubErrorText, signalR,
} from './helpers.mjs';

let server;
let url;
let alice; // token
let bob;
const open = [];

async function conn(token, options) {
  const c = await connect(url, token, options);
  open.push(c);
  return c;
}

before(async () => {
  server = await startServer();
  url = server.url;
  alice = await devToken(url, 'alice', 'Alice');
  bob = await devToken(url, 'bob', 'Bob');
});

after(async () => {
  await Promise.all(open.map((c) => c.stop().catch(() => {})));
  const result = await stopServer(server);
  // 143 = 128 + SIGTERM: how a JVM reports a SIGTERM exit after its shutdown hooks ran.
  assert.ok(result.code === 143 || result.code === 0, 'exit status ' + result.code);
  assert.match(server.output, /Shutting down: readiness is 503/);
  assert.match(server.output, /INFO .* - Stopped/);
});

test('two users chat in a public room: join events, messages to everyone including the sender', async () => {
  const room = await createRoom(url, alice, 'General');
  const a = await conn(alice);
  const b = await conn(bob);
  const joined = await a.invoke('JoinRoom', room.id);
  assert.deepEqual(joined, room);
  await b.invoke('JoinRoom', room.id);
  const ev = await a.waitFor('UserJoined', (e) => e.userId === 'bob');
  assert.deepEqual(ev, { roomId: room.id, userId: 'bob', userName: 'Bob' });

  const content = '  héllo <script>alert(1)</script> & "quotes" 😀\n\ttab  ';
  const stored = await a.invoke('SendMessage', room.id, content);
  assert.equal(stored.content, content);
  assert.equal(stored.senderId, 'alice');
  assert.equal(stored.senderName, 'Alice');
  assert.equal(stored.kind, 'user');
  assert.equal(stored.roomId, room.id);
  assert.match(stored.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  assert.deepEqual(Object.keys(stored), ['id', 'roomId', 'seq', 'senderId', 'senderName', 'content', 'kind', 'createdAt']);
  assert.deepEqual(await b.waitFor('ReceiveMessage', (m) => m.id === stored.id), stored);
  assert.deepEqual(await a.waitFor('ReceiveMessage', (m) => m.id === stored.id), stored);

  const reply = await b.invoke('SendMessage', room.id, 'hi Alice');
  await a.waitFor('ReceiveMessage', (m) => m.id === reply.id);
  const history = await api(url, 'GET', `/api/v1/rooms/${room.id}/messages`, bob);
  assert.deepEqual(history.body.items, [stored, reply]);
  assert.equal(history.body.nextBefore, null);
});

test('typing reaches the others in the room, not the sender', async () => {
  const room = await createRoom(url, alice, 'Typing');
  const a = await conn(alice);
  const b = await conn(bob);
  await a.invoke('JoinRoom', room.id);
  await b.invoke('JoinRoom', room.id);
  await b.invoke('SendTyping', room.id);
  assert.deepEqual(await a.waitFor('UserTyping'), { roomId: room.id, userId: 'bob', userName: 'Bob' });
  const m = await a.invoke('SendMessage', room.id, 'after typing');
  await b.waitFor('ReceiveMessage', (x) => x.id === m.id);
  assert.deepEqual(b.received('UserTyping'), []);
});

test('LeaveRoom completes, the others get UserLeft and the leaver gets no more messages', async () => {
  const room = await createRoom(url, alice, 'Leaving');
  const a = await conn(alice);
  const b = await conn(bob);
  await a.invoke('JoinRoom', room.id);
  await b.invoke('JoinRoom', room.id);
  assert.equal(await b.invoke('LeaveRoom', room.id), null);
  assert.deepEqual(await a.waitFor('UserLeft'), { roomId: room.id, userId: 'bob', userName: 'Bob' });
  const m = await a.invoke('SendMessage', room.id, 'bob is gone');
  await a.waitFor('ReceiveMessage', (x) => x.id === m.id);
  const marker = await a.invoke('SendMessage', room.id, 'marker');
  await a.waitFor('ReceiveMessage', (x) => x.id === marker.id);
  assert.deepEqual(b.received('ReceiveMessage').filter((x) => x.roomId === room.id), []);
});

test('a private room is closed to non-participants on every call, open once added', async () => {
  const room = await createRoom(url, alice, 'Secret', true);
  const a = await conn(alice);
  const b = await conn(bob);
  await a.invoke('JoinRoom', room.id);
  for (const [method, args] of [['JoinRoom', [room.id]], ['SendMessage', [room.id, 'let me in']], ['SendTyping', [room.id]]]) {
    await assert.rejects(b.invoke(method, ...args), (err) => {
      assert.match(hubErrorText(err), /is private and you are not one of its participants/);
      return true;
    });
  }
  assert.equal(b.state, signalR.HubConnectionState.Connected, 'errors never close the connection');
  assert.equal((await api(url, 'GET', `/api/v1/rooms/${room.id}/messages`, bob)).status, 403);
  const rooms = await api(url, 'GET', '/api/v1/rooms', bob);
  assert.ok(!rooms.body.some((r) => r.id === room.id), 'bob does not see the private room');

  const added = await api(url, 'POST', `/api/v1/rooms/${room.id}/participants`, alice, { userId: 'bob' });
  assert.equal(added.status, 204);
  await b.invoke('JoinRoom', room.id);
  const m = await b.invoke('SendMessage', room.id, 'thanks for the invite');
  await a.waitFor('ReceiveMessage', (x) => x.id === m.id);
  assert.ok((await api(url, 'GET', '/api/v1/rooms', bob)).body.some((r) => r.id === room.id));
});

test('RoomAdded: a public room reaches every connection, a private one only its creator and the participants added', async () => {
  const a = await conn(alice, { protocol: 'messagepack' });
  const b = await conn(bob, { transport: 'ServerSentEvents' });
  const pub = await createRoom(url, alice, 'Announced');
  assert.deepEqual(await b.waitFor('RoomAdded', (r) => r.id === pub.id), pub);
  // MessagePack carries createdAt as a timestamp (a Date here, to the millisecond), as ASP.NET does
  const asJson = (r) => ({ ...r, createdAt: new Date(r.createdAt).toISOString() });
  assert.deepEqual(asJson(await a.waitFor('RoomAdded', (r) => r.id === pub.id)), asJson(pub));

  const secret = await createRoom(url, alice, 'Announced privately', true);
  assert.deepEqual(asJson(await a.waitFor('RoomAdded', (r) => r.id === secret.id)), asJson(secret));
  const marker = await createRoom(url, alice, 'After the private one');
  await b.waitFor('RoomAdded', (r) => r.id === marker.id); // sent after the private room's event
  assert.equal(b.received('RoomAdded').filter((r) => r.id === secret.id).length, 0, 'bob saw the private room');

  const added = await api(url, 'POST', `/api/v1/rooms/${secret.id}/participants`, alice, { userId: 'bob' });
  assert.equal(added.status, 204);
  assert.deepEqual(await b.waitFor('RoomAdded', (r) => r.id === secret.id), secret);
});

test('hub errors complete the invocation with a readable message and keep the connection', async () => {
  const room = await createRoom(url, alice, 'Errors');
  const a = await conn(alice);
  const cases = [
    [['JoinRoom', '0193f1a2-7c4e-7d2a-9b1c-3f0e5a6b7c8d'], /There is no room with id/],
    [['JoinRoom', 'not-an-id'], /roomId must be a room id/],
    [['SendMessage', room.id, ''], /content must be 1 to 4000 characters long \(was 0\)/],
    [['SendMessage', room.id, 'x'.repeat(4001)], /content must be 1 to 4000 characters long \(was 4001\)/],
    [['SendMessage', room.id, 'nul\u0000inside'], /NUL/],
    [['SendMessage', room.id, null], /content is required/],
    [['NoSuchMethod', room.id], /Unknown hub method 'NoSuchMethod'/],
    [['SendMessage', room.id], /Failed to invoke 'SendMessage'/],
  ];
  for (const [args, expected] of cases) {
    await assert.rejects(a.invoke(...args), (err) => {
      assert.match(err.message, expected);
      return true;
    });
  }
  assert.equal(a.state, signalR.HubConnectionState.Connected);
  const ok = await a.invoke('SendMessage', room.id, '😀'.repeat(4000));
  assert.equal(ok.content, '😀'.repeat(4000));
});

for (const transport of ['WebSockets', 'ServerSentEvents', 'LongPolling']) {
  for (const protocol of ['json', 'messagepack']) {
    if (transport === 'ServerSentEvents' && protocol === 'messagepack') {
      test('messagepack over Server-Sent Events is refused (text-only transport), as in ASP.NET Core', async () => {
        await assert.rejects(connect(url, alice, { transport, protocol }));
      });
      continue;
    }
    test(`SendMessage over ${transport} with ${protocol}`, async () => {
      const room = await createRoom(url, alice, `${transport}-${protocol}`);
      const a = await conn(alice, { transport, protocol });
      const b = await conn(bob); // json over WebSockets
      const classes = { WebSockets: 'WebSocketTransport', ServerSentEvents: 'ServerSentEventsTransport', LongPolling: 'LongPollingTransport' };
      assert.equal(a.connection.transport.constructor.name, classes[transport]);
      const r = await a.invoke('JoinRoom', room.id);
      assert.equal(r.id, room.id);
      await b.invoke('JoinRoom', room.id);
      const content = `over ${transport}/${protocol} ✓ 😀`;
      const stored = await a.invoke('SendMessage', room.id, content);
      assert.equal(stored.content, content);
      const mine = await a.waitFor('ReceiveMessage', (m) => m.id === stored.id);
      assert.equal(mine.content, content);
      assert.equal(mine.senderName, 'Alice');
      const theirs = await b.waitFor('ReceiveMessage', (m) => m.id === stored.id);
      assert.equal(theirs.content, content);
      const back = await b.invoke('SendMessage', room.id, 'reply to ' + protocol);
      const got = await a.waitFor('ReceiveMessage', (m) => m.id === back.id);
      assert.equal(got.content, 'reply to ' + protocol);
      if (protocol === 'messagepack') {
        // MessagePack carries createdAt as a timestamp (a Date in JS), JSON as ISO-8601 text.
        assert.ok(got.createdAt instanceof Date);
        assert.equal(got.createdAt.toISOString().slice(0, 19), back.createdAt.slice(0, 19));
      }
      await b.invoke('SendTyping', room.id);
      assert.equal((await a.waitFor('UserTyping')).userId, 'bob');
    });
  }
}

test('a user is back in the rooms they joined on every new connection and on every device', async () => {
  const room = await createRoom(url, alice, 'Sticky');
  const a = await conn(alice);
  await a.invoke('JoinRoom', room.id);
  const phone = await conn(bob);
  const laptop = await conn(bob, { transport: 'LongPolling' });
  await phone.invoke('JoinRoom', room.id);
  const first = await a.invoke('SendMessage', room.id, 'to both devices');
  await laptop.waitFor('ReceiveMessage', (m) => m.id === first.id); // joined on the phone only
  await phone.waitFor('ReceiveMessage', (m) => m.id === first.id);
  await phone.stop();
  await laptop.stop();

  const later = await conn(bob, { transport: 'ServerSentEvents' }); // never calls JoinRoom
  const second = await a.invoke('SendMessage', room.id, 'welcome back');
  assert.equal((await later.waitFor('ReceiveMessage', (m) => m.id === second.id)).content, 'welcome back');
});

test('stateful reconnect is accepted when the client asks for it', async () => {
  const room = await createRoom(url, alice, 'Stateful');
  const negotiate = await fetch(url + '/hubs/chat/negotiate?negotiateVersion=1&useStatefulReconnect=true', {
    method: 'POST',
    headers: { Authorization: 'Bearer ' + alice },
  });
  assert.equal((await negotiate.json()).useStatefulReconnect, true);
  const a = await conn(alice, { stateful: true });
  await a.invoke('JoinRoom', room.id);
  const m = await a.invoke('SendMessage', room.id, 'stateful');
  await a.waitFor('ReceiveMessage', (x) => x.id === m.id);
});

test('an anonymous client cannot negotiate or connect', async () => {
  const negotiate = await fetch(url + '/hubs/chat/negotiate?negotiateVersion=1', { method: 'POST' });
  assert.equal(negotiate.status, 401);
  const anonymous = new signalR.HubConnectionBuilder()
    .withUrl(url + '/hubs/chat')
    .configureLogging(signalR.LogLevel.None)
    .build();
  await assert.rejects(anonymous.start(), /401|Unauthorized/);
  const forged = new signalR.HubConnectionBuilder()
    .withUrl(url + '/hubs/chat', { accessTokenFactory: () => alice.slice(0, -4) + 'AAAA' })
    .configureLogging(signalR.LogLevel.None)
    .build();
  await assert.rejects(forged.start(), /401|Unauthorized/);
});
