// The provider's keys seen from outside the server: a token signed with a key id the server does
// not know makes it fetch the JWK set again, at most once per 30 s whatever the number of such
// tokens (no fetch storm), and while the JWK set cannot be fetched the last good keys stay in use.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopServer, api, waitUntil } from './helpers.mjs';
import { startProvider } from './oidc-provider.mjs';

let provider;
let server;
after(async () => {
  await stopServer(server).catch(() => {});
  if (provider) await provider.stop();
});

const status = async (token) => (await api(server.url, 'GET', '/api/v1/rooms', token)).status;

test('an unknown key id refreshes the key set, rate-limited; a failed fetch keeps the last good keys', { timeout: 180_000 }, async () => {
  provider = await startProvider();
  server = await startServer({ CHAT_STORE: 'memory', JWT_AUTHORITY: provider.issuer, JWT_AUDIENCE: 'chat-api' });
  const first = await provider.token('keys-a');
  assert.equal(await status(first), 200);
  const afterFirst = (await provider.stats()).jwksFetches;
  assert.ok(afterFirst >= 1);

  // New keys: a burst of 30 tokens with the unknown key id fetches the set at most twice.
  await provider.rotateKeys(false);
  const rotated = await provider.token('keys-b');
  const burst = await Promise.all(Array.from({ length: 30 }, () => status(rotated)));
  assert.ok(burst.every((s) => s === 200 || s === 401), burst.join());
  const afterBurst = (await provider.stats()).jwksFetches;
  assert.ok(afterBurst - afterFirst <= 2, `${afterBurst - afterFirst} fetches for 30 requests`);
  // Within the refresh interval (30 s) the new key is learnt.
  await waitUntil(async () => (await status(rotated)) === 200, 45_000, 'the rotated key');
  assert.ok((await provider.stats()).jwksFetches - afterFirst <= 3, 'no storm while waiting');

  // The JWK set goes down and the keys rotate again: the unknown key id makes the server try to
  // fetch (and fail) once its interval allows; meanwhile and after, the last good keys still work.
  await provider.jwksAvailable(false);
  await provider.rotateKeys(false);
  const beforeOutage = (await provider.stats()).jwksFetches;
  const unknown = await provider.token('keys-c');
  await waitUntil(async () => {
    assert.equal(await status(unknown), 401, 'a key nobody could fetch is refused');
    return (await provider.stats()).jwksFetches > beforeOutage;
  }, 45_000, 'a fetch attempt during the outage');
  assert.equal(await status(rotated), 200, 'the last good keys stay in use after a failed fetch');
  assert.equal(await status(await provider.token('keys-c')), 401);

  // Back up: the new key is learnt at the next allowed refresh.
  await provider.jwksAvailable(true);
  await waitUntil(async () => (await status(unknown)) === 200, 45_000, 'the key after the outage');
});
