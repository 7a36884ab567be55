// The official @microsoft/signalr client against two jvmchat app servers in Azure SignalR default
// mode (a fake service written from the specification stands in for Azure): negotiate at an app
// server, follow the redirect to the service, and exercise every audience through it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const signalR = require('@microsoft/signalr');
const { MessagePackHubProtocol } = require('@microsoft/signalr-protocol-msgpack');

const APP1 = process.env.APP1_URL;
const APP2 = process.env.APP2_URL;

function connect(app, user, protocol) {
  const c = new signalR.HubConnectionBuilder()
    .withUrl(`${app}/hubs/relay?user=${user}`, { transport: signalR.HttpTransportType.WebSockets })
    .withHubProtocol(protocol === 'messagepack' ? new MessagePackHubProtocol() : new signalR.JsonHubProtocol())
    .configureLogging(signalR.LogLevel.Warning)
    .build();
  c.inbox = [];
  for (const name of ['Broadcasted', 'GroupMessage', 'UserMessage', 'DirectMessage']) {
    c.on(name, (...args) => c.inbox.push([name, ...args]));
  }
  c.on('Ask', (q) => `${user} answers ${q}`);
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

const has = (c, ...expected) => c.inbox.some((m) => JSON.stringify(m) === JSON.stringify(expected));

for (const protocol of ['json', 'messagepack']) {
  test(`default mode through the service (${protocol})`, async (t) => {
    const alice = connect(APP1, 'alice', protocol);
    const bob = connect(APP2, 'bob', protocol);
    const bob2 = connect(APP1, 'bob', protocol);
    await alice.start();
    await bob.start();
    await bob2.start();
    t.after(async () => { await alice.stop(); await bob.stop(); await bob2.stop(); });

    // negotiate was redirected: the client's connection id is the service's
    assert.equal(await alice.invoke('ConnectionId'), alice.connectionId);
    assert.equal(await alice.invoke('Echo', 'héllo'), 'héllo');
    assert.equal(await alice.invoke('WhoAmI'), 'alice');
    assert.equal(await bob.invoke('WhoAmI'), 'bob');

    // all, and all except the caller
    await alice.invoke('Broadcast', `b1-${protocol}`);
    for (const c of [alice, bob, bob2]) await until(() => has(c, 'Broadcasted', `b1-${protocol}`), 'broadcast');
    await alice.invoke('BroadcastExceptMe', `b2-${protocol}`);
    await until(() => has(bob, 'Broadcasted', `b2-${protocol}`) && has(bob2, 'Broadcasted', `b2-${protocol}`), 'all except');

    // groups (acked joins), others in group, several groups, leave
    await alice.invoke('JoinGroup', 'g1');
    await bob.invoke('JoinGroup', 'g1');
    await bob2.invoke('JoinGroup', 'g2');
    await bob.invoke('SendGroup', 'g1', `g-${protocol}`);
    await until(() => has(alice, 'GroupMessage', 'g1', `g-${protocol}`) && has(bob, 'GroupMessage', 'g1', `g-${protocol}`), 'group');
    await bob.invoke('SendOthersInGroup', 'g1', `o-${protocol}`);
    await until(() => has(alice, 'GroupMessage', 'g1', `o-${protocol}`), 'others in group');
    await alice.invoke('SendGroups', ['g1', 'g2'], `gs-${protocol}`);
    await until(() => [alice, bob, bob2].every((c) => has(c, 'GroupMessage', '*', `gs-${protocol}`)), 'groups');
    await alice.invoke('LeaveGroup', 'g1');
    await bob.invoke('SendGroup', 'g1', `after-leave-${protocol}`);
    await until(() => has(bob, 'GroupMessage', 'g1', `after-leave-${protocol}`), 'group after leave');

    // users: bob has a connection on each app server
    await alice.invoke('SendUser', 'bob', `u-${protocol}`);
    await until(() => has(bob, 'UserMessage', `u-${protocol}`) && has(bob2, 'UserMessage', `u-${protocol}`), 'user');
    await bob.invoke('SendUsers', ['alice', 'bob'], `us-${protocol}`);
    await until(() => [alice, bob, bob2].every((c) => has(c, 'UserMessage', `us-${protocol}`)), 'users');

    // one connection (held by the other app server) and several connections
    await alice.invoke('SendConnection', bob.connectionId, `c-${protocol}`);
    await until(() => has(bob, 'DirectMessage', `c-${protocol}`), 'connection');
    await bob.invoke('SendConnections', [alice.connectionId, bob2.connectionId], `cs-${protocol}`);
    await until(() => has(alice, 'DirectMessage', `cs-${protocol}`) && has(bob2, 'DirectMessage', `cs-${protocol}`), 'connections');

    // client results: the caller, and a connection held by another app server (routed by the service)
    assert.equal(await alice.invoke('AskCaller', 'q1'), 'alice answers q1');
    assert.equal(await alice.invoke('AskConnection', bob.connectionId, 'q2'), 'bob answers q2');

    // nothing leaked: the group left is not delivered, nothing arrived twice
    assert.ok(!has(alice, 'GroupMessage', 'g1', `after-leave-${protocol}`));
    assert.equal(alice.inbox.filter((m) => m[1] === `b1-${protocol}`).length, 1);
    assert.ok(!has(alice, 'Broadcasted', `b2-${protocol}`));
  });
}

test('an anonymous client is anonymous at the hub', async (t) => {
  const anon = new signalR.HubConnectionBuilder()
    .withUrl(`${APP1}/hubs/relay`, { transport: signalR.HttpTransportType.WebSockets })
    .configureLogging(signalR.LogLevel.Warning)
    .build();
  await anon.start();
  t.after(() => anon.stop());
  assert.equal(await anon.invoke('WhoAmI'), 'anonymous');
});

test('a hub error and a server-side close reach the client', async (t) => {
  const c = connect(APP2, 'carol', 'json');
  await c.start();
  t.after(() => c.stop());
  await assert.rejects(c.invoke('NoSuchMethod'), /Method does not exist|Unknown hub method|does not exist/i);
  assert.equal(c.state, signalR.HubConnectionState.Connected);
});
