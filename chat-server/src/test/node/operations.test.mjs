// Start-up and shutdown of the built jar: settings validated with one clear line and a non-zero
// exit, Production without the dev-token path, the JSON settings file, and graceful SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, stopServer, runToExit, api, connect, createRoom, waitUntil, signalR } from './helpers.mjs';
import { createHmac } from 'node:crypto';

const SECRET = 'a-production-secret-of-at-least-32-bytes!';

/** An HS256 JWT made here, as an external identity provider would. */
function jwt(claims, secret = SECRET) {
  const enc = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = enc({ alg: 'HS256', typ: 'JWT' }) + '.' + enc(claims);
  return body + '.' + createHmac('sha256', secret).update(body).digest('base64url');
}

function oneLineError(result, pattern) {
  assert.notEqual(result.code, 0);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, 'exactly one line on stderr:\n' + result.stderr);
  assert.match(lines[0], pattern);
}

test('Production without JWT_SECRET refuses to start with one clear line', async () => {
  oneLineError(await runToExit({ CHAT_ENVIRONMENT: 'Production' }), /JWT_SECRET is required in Production/);
});

test('invalid settings exit non-zero with one clear line each', async () => {
  oneLineError(await runToExit({ JWT_SECRET: 'too short' }), /JWT_SECRET must be at least 32 bytes/);
  oneLineError(await runToExit({ PORT: 'http' }), /PORT must be a whole number/);
  oneLineError(await runToExit({ CHAT_ENVIRONMENT: 'Test' }), /CHAT_ENVIRONMENT must be Development or Production/);
  oneLineError(
    await runToExit({ CHAT_ENVIRONMENT: 'Development', ASPNETCORE_ENVIRONMENT: 'Production', JWT_SECRET: SECRET }),
    /CHAT_ENVIRONMENT \(Development\) and ASPNETCORE_ENVIRONMENT \(Production\) disagree/);
  oneLineError(await runToExit({ REDIS_URL: 'localhost:6379' }), /REDIS_URL must look like redis:\/\//);
  oneLineError(await runToExit({ CHAT_CONFIG: '/nonexistent/appsettings.json' }), /CHAT_CONFIG names a file that does not exist/);
});

test('no embedded PostgreSQL binary for the platform: one line that says to set DATABASE_URL or CHAT_STORE=memory', async () => {
  // The JVM reports the platform it is told (os.arch is overridable on the command line): one
  // that the embedded PostgreSQL ships no binary for.
  const result = await runToExit({}, 60_000, ['-Dos.arch=s390x']);
  oneLineError(result, /no embedded PostgreSQL for Linux s390x \(it ships for linux-amd64, linux-arm64v8, darwin-amd64, darwin-arm64v8\): set DATABASE_URL to a PostgreSQL server, or CHAT_STORE=memory/);
  assert.doesNotMatch(result.stdout, /\tat org\./, 'no stack trace in the log');
  // The same platform with CHAT_STORE=memory starts.
  const server = await startServer({ CHAT_STORE: 'memory', JAVA_TOOL_OPTIONS: '-Dos.arch=s390x' });
  try {
    assert.match(server.output, /Chat server listening on/);
  } finally {
    await stopServer(server);
  }
});

test('Production with a key and a JSON settings file: dev-token is 404, external tokens work, issuer checked', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'chat-config-'));
  const config = join(dir, 'appsettings.json');
  writeFileSync(config, JSON.stringify({ environment: 'Production', jwt: { issuer: 'https://id.example.com' } }));
  const server = await startServer({ CHAT_CONFIG: config, JWT_SECRET: SECRET });
  try {
    const url = server.url;
    assert.match(server.output, /environment Production/);
    const dev = await api(url, 'POST', '/api/v1/auth/dev-token', null, { userId: 'alice', name: 'Alice' });
    assert.equal(dev.status, 404);
    const exp = Math.floor(Date.now() / 1000) + 600;
    const good = jwt({ sub: 'erin', name: 'Erin', exp, iss: 'https://id.example.com' });
    assert.equal((await api(url, 'GET', '/api/v1/rooms', good)).status, 200);
    const wrongIssuer = jwt({ sub: 'erin', name: 'Erin', exp, iss: 'https://evil.example.com' });
    assert.equal((await api(url, 'GET', '/api/v1/rooms', wrongIssuer)).status, 401);
    const expired = jwt({ sub: 'erin', exp: Math.floor(Date.now() / 1000) - 3600, iss: 'https://id.example.com' });
    assert.equal((await api(url, 'GET', '/api/v1/rooms', expired)).status, 401);
    const otherKey = jwt({ sub: 'erin', exp, iss: 'https://id.example.com' }, 'x'.repeat(40));
    assert.equal((await api(url, 'GET', '/api/v1/rooms', otherKey)).status, 401);
    const c = await connect(url, good, { transport: 'ServerSentEvents' });
    const room = await createRoom(url, good, 'prod');
    assert.equal((await c.invoke('JoinRoom', room.id)).id, room.id);
    await c.stop();
  } finally {
    await stopServer(server);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SIGTERM: clients get a Close that allows reconnecting, then the process exits in bounded time', async () => {
  const server = await startServer();
  let stopped = false;
  try {
    const url = server.url;
    const token = (await api(url, 'POST', '/api/v1/auth/dev-token', null, { userId: 'zed' })).body.accessToken;
    const c = await connect(url, token, { reconnect: true });
    let reconnecting = false;
    c.onreconnecting(() => (reconnecting = true));
    assert.equal((await api(url, 'GET', '/health/ready')).status, 200);
    const started = Date.now();
    const exit = stopServer(server);
    await waitUntil(() => reconnecting || c.state !== signalR.HubConnectionState.Connected, 15_000, 'the client to notice');
    const result = await exit;
    stopped = true;
    assert.ok(Date.now() - started < 15_000, 'stopped within the grace period and then some');
    assert.ok(result.code === 143 || result.code === 0, 'exit status ' + result.code);
    assert.ok(reconnecting, 'the Close allowed a reconnect, so the client tried to reconnect');
    assert.match(server.output, /Shutting down: readiness is 503/);
    await c.stop();
  } finally {
    if (!stopped) await stopServer(server);
  }
});
