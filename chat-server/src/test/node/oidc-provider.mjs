// The OpenID Connect provider the identity tests sign in with: chat-test-support's TestOidcProvider
// (discovery, JWKS, authorization code + PKCE, refresh tokens, end-session) run as a Java process.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { moduleDir, jarPath } from './helpers.mjs';

const READY = /OIDC provider listening on (http:\/\/\S+)/;
const classpath =
  process.env.OIDC_PROVIDER_CLASSPATH ||
  [resolve(moduleDir, '..', 'chat-test-support', 'target', 'classes'), jarPath].join(':');

const children = new Set();
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/**
 * Starts the provider; resolves {issuer, audience, token(sub, options), stats(), stop()}.
 * options: {audience: 'chat-api', accessTokenTtlSeconds: 300}.
 */
export async function startProvider({ audience = 'chat-api', accessTokenTtlSeconds = 300 } = {}) {
  for (const entry of classpath.split(':')) {
    if (!existsSync(entry)) throw new Error(`${entry} does not exist: build chat-test-support and chat-server first`);
  }
  const child = spawn(
    'java',
    ['-Xmx128m', '-cp', classpath, 'org.jvmchat.testing.TestOidcProvider',
      '--audience=' + audience, '--access-token-ttl=' + accessTokenTtlSeconds],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  children.add(child);
  child.once('exit', () => children.delete(child));
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const issuer = await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error('the OIDC provider did not start:\n' + output)), 30_000);
    child.stdout.on('data', () => {
      const m = READY.exec(output);
      if (m) {
        clearTimeout(timer);
        res(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`the OIDC provider exited with ${code}:\n${output}`));
    });
  });
  return {
    issuer,
    audience,
    /** A provider-signed access token: {alg: 'RS256'|'PS256'|'ES256', ttl: seconds, name}. */
    async token(sub, { alg = 'RS256', ttl, name = sub } = {}) {
      const q = new URLSearchParams({ sub, name, alg });
      if (ttl !== undefined) q.set('ttl', String(ttl));
      const res = await fetch(issuer + '/test/token?' + q, { method: 'POST' });
      if (!res.ok) throw new Error('the provider answered ' + res.status + ' ' + (await res.text()));
      return (await res.json()).access_token;
    },
    /** New keys with new key ids; the old ones stay published when keepOld. */
    async rotateKeys(keepOld = false) {
      await fetch(issuer + '/test/rotate?keepOld=' + keepOld, { method: 'POST' });
    },
    /** While false the JWK set answers 503, as a provider that is down. */
    async jwksAvailable(available) {
      await fetch(issuer + '/test/jwks?available=' + available, { method: 'POST' });
    },
    async stats() {
      return (await fetch(issuer + '/test/stats')).json();
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((res) => child.once('exit', res));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

