// Shared helpers of the Node interop tests: start the built jar, get tokens, call the REST API and
// connect with the official @microsoft/signalr client (resolved from the root node_modules).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
export const signalR = require('@microsoft/signalr');
export const { MessagePackHubProtocol } = require('@microsoft/signalr-protocol-msgpack');

const here = dirname(fileURLToPath(import.meta.url));
export const moduleDir = resolve(here, '..', '..', '..');
export const targetDir = process.env.CHAT_TEST_TARGET || join(moduleDir, 'target');
export const jarPath = process.env.CHAT_SERVER_JAR || join(targetDir, 'chat-server.jar');

// Every process started here is killed when this test process exits, whatever happened.
const children = new Set();
process.on('exit', () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});
function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

const READY = /Chat server listening on (http:\/\/\S+)/;
const START_TIMEOUT_MS = 90_000;

/**
 * Runs `java -jar chat-server.jar` with PORT=0 and an empty data directory; resolves once the
 * ready line (with the URL) was logged. `env` adds or overrides environment variables.
 */
export async function startServer(env = {}) {
  if (!existsSync(jarPath)) {
    throw new Error(`${jarPath} does not exist: build it first (mvn package)`);
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'chat-server-test-'));
  const child = track(spawn('java', ['-Xmx384m', '-jar', jarPath], {
    env: { ...cleanEnv(), PORT: '0', CHAT_DATA_DIR: join(dataDir, 'data'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  }));
  const server = {
    child,
    dataDir,
    output: '',
    url: null,
    exited: new Promise((res) => child.once('exit', (code, signal) => res({ code, signal }))),
  };
  child.stdout.on('data', (d) => (server.output += d));
  child.stderr.on('data', (d) => (server.output += d));
  server.url = await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error('the server did not start in time:\n' + server.output)), START_TIMEOUT_MS);
    const check = () => {
      const m = READY.exec(server.output);
      if (m) {
        clearTimeout(timer);
        res(m[1]);
      }
    };
    child.stdout.on('data', check);
    server.exited.then(({ code }) => {
      clearTimeout(timer);
      rej(new Error(`the server exited with ${code} before it was ready:\n${server.output}`));
    });
  });
  return server;
}

/** SIGTERM, then await the exit (SIGKILL after the timeout); removes the data directory. */
export async function stopServer(server, timeoutMs = 20_000) {
  if (!server) return null;
  let result;
  if (server.child.exitCode === null && server.child.signalCode === null) {
    server.child.kill('SIGTERM');
    let timer;
    const timeout = new Promise((res) => (timer = setTimeout(() => res(null), timeoutMs)));
    result = await Promise.race([server.exited, timeout]);
    clearTimeout(timer);
    if (result === null) {
      server.child.kill('SIGKILL');
      await server.exited;
      rmSync(server.dataDir, { recursive: true, force: true });
      throw new Error('the server did not stop within ' + timeoutMs + ' ms after SIGTERM');
    }
  } else {
    result = await server.exited;
  }
  rmSync(server.dataDir, { recursive: true, force: true });
  return result;
}

/**
 * Runs the jar and awaits its exit (for start-up failures); resolves {code, output}. `jvmArgs` go
 * before `-jar`.
 */
export async function runToExit(env, timeoutMs = 60_000, jvmArgs = []) {
  const dataDir = mkdtempSync(join(tmpdir(), 'chat-server-test-'));
  const child = track(spawn('java', ['-Xmx256m', ...jvmArgs, '-jar', jarPath], {
    env: { ...cleanEnv(), PORT: '0', CHAT_DATA_DIR: join(dataDir, 'data'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  }));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise((res) => child.once('exit', (c) => res(c)));
  clearTimeout(timer);
  rmSync(dataDir, { recursive: true, force: true });
  return { code, stdout, stderr };
}

/** The environment without the server's variables, so the developer's shell cannot leak in. */
function cleanEnv() {
  const env = { ...process.env };
  for (const k of ['PORT', 'CHAT_ENVIRONMENT', 'ASPNETCORE_ENVIRONMENT', 'DATABASE_URL', 'REDIS_URL', 'JWT_SECRET', 'JWT_ISSUER',
    'JWT_AUDIENCE', 'JWT_AUTHORITY', 'JWT_JWKS_URL', 'OIDC_CLIENT_ID', 'OIDC_SCOPES', 'OPENAI_API_KEY', 'OPENAI_BASE_URL', 'OPENAI_MODEL', 'CHAT_CONFIG', 'CHAT_DATA_DIR',
    'LOG_FORMAT', 'LOG_LEVEL', 'MANAGEMENT_PORT', 'MAX_CONNECTIONS_PER_USER', 'MESSAGE_RATE_LIMIT',
    'NEGOTIATE_RATE_LIMIT_PER_IP', 'DEV_TOKEN_RATE_LIMIT_PER_IP', 'CONNECTION_COUNT_TTL']) {
    delete env[k];
  }
  return env;
}

/** A dev token for userId. */
export async function devToken(url, userId, name = userId) {
  const res = await fetch(url + '/api/v1/auth/dev-token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ userId, name }),
  });
  if (res.status !== 200) throw new Error('dev-token answered ' + res.status + ' ' + (await res.text()));
  return (await res.json()).accessToken;
}

/** A REST call; resolves {status, headers, body} with body parsed when it is JSON. */
export async function api(url, method, path, token, body) {
  const headers = {};
  if (token) headers.Authorization = 'Bearer ' + token;
  let payload;
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = typeof body === 'string' ? body : JSON.stringify(body);
  }
  const res = await fetch(url + path, { method, headers, body: payload });
  const text = await res.text();
  const type = res.headers.get('content-type') || '';
  return {
    status: res.status,
    headers: res.headers,
    type,
    body: type.includes('json') && text ? JSON.parse(text) : text,
  };
}

export async function createRoom(url, token, name, isPrivate = false) {
  const r = await api(url, 'POST', '/api/v1/rooms', token, { name, isPrivate });
  if (r.status !== 201) throw new Error('create room answered ' + r.status + ' ' + JSON.stringify(r.body));
  return r.body;
}

/**
 * A started HubConnection to /hubs/chat. options: {transport: 'WebSockets'|'ServerSentEvents'|
 * 'LongPolling', protocol: 'json'|'messagepack', stateful: bool, reconnect: bool}.
 */
export async function connect(url, token, options = {}) {
  const builder = new signalR.HubConnectionBuilder()
    .withUrl(url + '/hubs/chat', {
      accessTokenFactory: () => token,
      transport: options.transport ? signalR.HttpTransportType[options.transport] : undefined,
    })
    .configureLogging(signalR.LogLevel.Error);
  if (options.protocol === 'messagepack') builder.withHubProtocol(new MessagePackHubProtocol());
  if (options.stateful) builder.withStatefulReconnect();
  if (options.reconnect) builder.withAutomaticReconnect([0, 200, 500, 1000, 2000]);
  const connection = builder.build();
  const events = [];
  for (const name of ['ReceiveMessage', 'UserJoined', 'UserLeft', 'UserTyping', 'RoomAdded']) {
    connection.on(name, (arg) => {
      events.push({ name, arg });
    });
  }
  connection.events = events;
  /** Resolves with the first event `name` whose argument matches `predicate`. */
  connection.waitFor = (name, predicate = () => true, timeoutMs = 10_000) =>
    waitUntil(() => {
      const e = events.find((x) => x.name === name && predicate(x.arg));
      return e ? e.arg : undefined;
    }, timeoutMs, `no ${name} event`);
  connection.received = (name) => events.filter((x) => x.name === name).map((x) => x.arg);
  await connection.start();
  // The hub's onConnected (group restore) runs before any invocation of the connection completes.
  await connection.invoke('NoSuchMethodUsedAsABarrier').catch(() => {});
  return connection;
}

/** Polls `fn` until it returns a value other than undefined/false. */
export async function waitUntil(fn, timeoutMs = 10_000, what = 'condition') {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The part of a hub error a person wrote. */
export function hubErrorText(err) {
  const msg = err && err.message ? err.message : String(err);
  const i = msg.indexOf('HubException: ');
  return i >= 0 ? msg.substring(i + 'HubException: '.length) : msg;
}

/** The PostgreSQL the tests use (`DATABASE_URL`, default the local trust-auth server's `test`). */
export const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

/** Runs `sql` with psql against `url` (quiet, tuples only, unaligned) and returns its output. */
export function psql(sql, url = DATABASE_URL) {
  const u = new URL(url.replace(/^jdbc:/, ''));
  return execFileSync('psql', ['-q', '-h', u.hostname, '-p', u.port || '5432', '-U', decodeURIComponent(u.username || 'postgres'),
    '-d', u.pathname.slice(1), '-tA', '-c', sql], {
    env: { ...process.env, PGPASSWORD: decodeURIComponent(u.password || '') },
    encoding: 'utf8',
  });
}
