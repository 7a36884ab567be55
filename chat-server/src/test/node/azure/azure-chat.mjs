// Run by AzureDefaultModeChatTest (not by the module's node runner, which reads only the files
// directly in src/test/node/): the official client chats through the fake Azure SignalR Service
// between two chat-server instances.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const signalR = require('@microsoft/signalr');
const { MessagePackHubProtocol } = require('@microsoft/signalr-protocol-msgpack');

function connect(url, token, msgpack) {
  const b = new signalR.HubConnectionBuilder()
    .withUrl(`${url}/hubs/chat`, { accessTokenFactory: () => token, transport: signalR.HttpTransportType.WebSockets })
    .configureLogging(signalR.LogLevel.Warning);
  if (msgpack) b.withHubProtocol(new MessagePackHubProtocol());
  const c = b.build();
  c.received = [];
  c.on('ReceiveMessage', (m) => c.received.push(m));
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

test('two instances chat through Azure SignalR Service (fake)', async (t) => {
  const { URL_ONE, URL_TWO, TOKEN_ALICE, TOKEN_BOB } = process.env;
  // a public room, created over REST on instance one
  const res = await fetch(`${URL_ONE}/api/v1/rooms`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN_ALICE}` },
    body: JSON.stringify({ name: 'azure-room', isPrivate: false }),
  });
  assert.equal(res.status, 201);
  const room = await res.json();

  // negotiate at the app answers the redirect to the service
  const neg = await fetch(`${URL_ONE}/hubs/chat/negotiate?negotiateVersion=1`, {
    method: 'POST', headers: { Authorization: `Bearer ${TOKEN_ALICE}` },
  });
  const body = await neg.json();
  assert.match(body.url, /\/client\/\?hub=chat$/);
  assert.ok(body.accessToken);

  const alice = connect(URL_ONE, TOKEN_ALICE, false);
  const bob = connect(URL_TWO, TOKEN_BOB, true);
  await alice.start();
  await bob.start();
  t.after(async () => { await alice.stop(); await bob.stop(); });

  const joined = await alice.invoke('JoinRoom', room.id);
  assert.equal(joined.id, room.id);
  await bob.invoke('JoinRoom', room.id);
  const sent = await bob.invoke('SendMessage', room.id, 'hello through the service');
  assert.equal(sent.senderId, 'bob');
  await until(() => alice.received.some((m) => m.content === 'hello through the service'), 'alice gets bob\'s message');
  await until(() => bob.received.some((m) => m.content === 'hello through the service'), 'bob gets his own message');
  await assert.rejects(alice.invoke('JoinRoom', 'no-such-room'), /.+/);
  assert.equal(alice.state, signalR.HubConnectionState.Connected);
});
