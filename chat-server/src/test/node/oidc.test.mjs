// Tokens from an OpenID Connect provider (JWT_AUTHORITY, JWT_JWKS_URL) with the official client
// over all three transports, beside HS256; a connection whose token expires gets a Close with
// allowReconnect and the client comes back with a fresh token from its accessTokenFactory.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopServer, api, createRoom, connect, signalR, waitUntil } from './helpers.mjs';
import { startProvider } from './oidc-provider.mjs';

const SECRET = 'an-hs256-secret-for-the-identity-tests-0123456789';
let provider;
let other; // another provider: same kind of keys, not trusted
let server; // JWT_AUTHORITY, Production
let jwksServer; // JWT_JWKS_URL

before(async () => {
  [provider, other] = await Promise.all([startProvider(), startProvider()]);
  [server, jwksServer] = await Promise.all([
    startServer({
      CHAT_ENVIRONMENT: 'Production',
      CHAT_STORE: 'memory',
      JWT_SECRET: SECRET,
      JWT_AUTHORITY: provider.issuer,
      JWT_AUDIENCE: 'chat-api',
      OIDC_CLIENT_ID: 'chat-web',
    }),
    startServer({
      CHAT_STORE: 'memory',
      JWT_JWKS_URL: provider.issuer + '/protocol/openid-connect/certs',
      JWT_AUDIENCE: 'chat-api',
    }),
  ]);
});

after(async () => {
  await Promise.all([stopServer(server), stopServer(jwksServer)]);
  await Promise.all([provider?.stop(), other?.stop()]);
});

const cases = [
  ['WebSockets', 'RS256'],
  ['ServerSentEvents', 'PS256'],
  ['LongPolling', 'ES256'],
];
for (const [transport, alg] of cases) {
  test(`a ${alg} provider token works over ${transport} and the REST API`, { timeout: 120_000 }, async () => {
    const sub = 'oidc-' + transport.toLowerCase();
    const token = await provider.token(sub, { alg, name: 'User ' + transport });
    const room = await createRoom(server.url, token, 'Room ' + transport);
    assert.equal(room.createdBy, sub);
    const c = await connect(server.url, token, { transport });
    try {
      await c.invoke('JoinRoom', room.id);
      const sent = await c.invoke('SendMessage', room.id, 'hello over ' + transport);
      assert.equal(sent.senderId, sub);
      assert.equal(sent.senderName, 'User ' + transport);
      const got = await c.waitFor('ReceiveMessage', (m) => m.id === sent.id);
      assert.equal(got.content, 'hello over ' + transport);
    } finally {
      await c.stop();
    }
  });
}

test('JWT_JWKS_URL: keys straight from the key set', { timeout: 120_000 }, async () => {
  const token = await provider.token('jwks-user', { alg: 'ES256' });
  const r = await api(jwksServer.url, 'GET', '/api/v1/rooms', token);
  assert.equal(r.status, 200);
  const c = await connect(jwksServer.url, token, { transport: 'WebSockets' });
  await c.stop();
});

test('tokens of another provider, another audience or past their expiry get 401', { timeout: 120_000 }, async () => {
  const foreign = await other.token('mallory');
  const wrongAudience = await (async () => {
    const p = await startProvider({ audience: 'another-api' });
    try {
      return await p.token('mallory');
    } finally {
      await p.stop();
    }
  })();
  const expired = await provider.token('mallory', { ttl: -120 }); // beyond the 60 s clock skew
  for (const token of [foreign, wrongAudience, expired, 'not-a-jwt']) {
    const rest = await api(server.url, 'GET', '/api/v1/rooms', token);
    assert.equal(rest.status, 401);
    const negotiate = await fetch(server.url + '/hubs/chat/negotiate?negotiateVersion=1', {
      method: 'POST',
      headers: { Authorization: 'Bearer ' + token },
    });
    assert.equal(negotiate.status, 401);
  }
});

test('HS256 with JWT_SECRET keeps working beside the provider', { timeout: 120_000 }, async () => {
  // In Production there are no dev tokens: sign one the way any HS256 issuer would.
  const { createHmac } = await import('node:crypto');
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const unsigned = b64({ alg: 'HS256', typ: 'JWT' }) + '.' +
    b64({ sub: 'hs-user', name: 'HS User', aud: 'chat-api', iat: now, exp: now + 300 });
  const token = unsigned + '.' + createHmac('sha256', SECRET).update(unsigned).digest('base64url');
  assert.equal((await api(server.url, 'GET', '/api/v1/rooms', token)).status, 200);
  const c = await connect(server.url, token, { transport: 'ServerSentEvents' });
  await c.stop();
});

for (const transport of ['WebSockets', 'ServerSentEvents', 'LongPolling']) {
  test(`an expiring token closes the ${transport} connection and the client reconnects with a fresh one`, { timeout: 120_000 }, async () => {
    let calls = 0;
    const connection = new signalR.HubConnectionBuilder()
      .withUrl(server.url + '/hubs/chat', {
        transport: signalR.HttpTransportType[transport],
        accessTokenFactory: async () => {
          calls += 1;
          return provider.token('expiring-' + transport, { ttl: 3 });
        },
      })
      .withAutomaticReconnect([0, 500, 1000, 2000])
      .configureLogging(signalR.LogLevel.None)
      .build();
    const reconnecting = [];
    connection.onreconnecting((err) => reconnecting.push(err ? err.message : ''));
    let reconnected = 0;
    connection.onreconnected(() => (reconnected += 1));
    await connection.start();
    const callsAtStart = calls;
    try {
      await waitUntil(() => reconnected >= 1, 20_000, 'a reconnect after the token expired');
      assert.match(reconnecting[0], /authentication expired/);
      assert.ok(calls > callsAtStart, 'the reconnect asked the accessTokenFactory again');
      const room = await createRoom(server.url, await provider.token('expiring-' + transport), 'after ' + transport);
      const joined = await connection.invoke('JoinRoom', room.id);
      assert.equal(joined.id, room.id);
    } finally {
      await connection.stop();
    }
  });
}

test('the page learns how to sign in from GET /api/v1/auth/config, and may talk to the provider', { timeout: 30_000 }, async () => {
  const prod = await api(server.url, 'GET', '/api/v1/auth/config');
  assert.equal(prod.status, 200);
  assert.deepEqual(prod.body, {
    environment: 'Production',
    devTokens: false,
    oidc: { authority: provider.issuer, clientId: 'chat-web', scopes: 'openid profile' },
  });
  const dev = await api(jwksServer.url, 'GET', '/api/v1/auth/config');
  assert.deepEqual(dev.body, { environment: 'Development', devTokens: true, oidc: null });

  const page = await fetch(server.url + '/');
  const csp = page.headers.get('content-security-policy');
  assert.match(csp, new RegExp("connect-src 'self' " + new URL(provider.issuer).origin + ' '));
  assert.match(csp, /script-src 'self';/);
  assert.equal((await fetch(server.url + '/oidc.js')).status, 200);
});

test('the page\'s connect-src follows the discovery document: a token endpoint on another origin is allowed', { timeout: 60_000 }, async () => {
  const { createServer } = await import('node:http');
  // A provider whose token and userinfo endpoints live on other origins than its issuer, as with
  // CDN'd login domains.
  const discovery = createServer((req, res) => {
    if (req.url === '/.well-known/openid-configuration') {
      const issuer = `http://127.0.0.1:${discovery.address().port}`;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({
        issuer,
        jwks_uri: issuer + '/keys',
        authorization_endpoint: 'http://localhost:7/authorize',
        token_endpoint: 'https://tokens.login.example:8443/oauth2/token',
        userinfo_endpoint: 'https://userinfo.login.example/me',
        end_session_endpoint: 'https://login.example/logout',
      }));
    } else {
      res.writeHead(503);
      res.end();
    }
  });
  await new Promise((r) => discovery.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${discovery.address().port}`;
  const s = await startServer({ CHAT_STORE: 'memory', JWT_AUTHORITY: issuer, OIDC_CLIENT_ID: 'chat-web' });
  try {
    const connectSrc = async () => {
      const csp = (await fetch(s.url + '/')).headers.get('content-security-policy');
      return /connect-src ([^;]*);/.exec(csp)[1];
    };
    const expected = `'self' ${issuer} https://tokens.login.example:8443 https://userinfo.login.example ws: wss:`;
    await waitUntil(async () => (await connectSrc()) === expected, 15_000, 'the token endpoint\'s origin in connect-src');
    // Navigations (authorization, end-session) need no connect-src, and nothing else was added.
    assert.doesNotMatch(await connectSrc(), /localhost:7|login\.example\/|https:\/\/login\.example /);
    // (Keeping the last good origins while the provider is down: ProviderEndpointsTest.)
  } finally {
    await stopServer(s);
    discovery.close();
  }
});
