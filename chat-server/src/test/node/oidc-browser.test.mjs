// The chat page under Production signs in with a real OpenID Connect provider in headless Chromium:
// the authorization code flow with PKCE through the provider's sign-in form, a chat message, the
// access token refreshed before it expires (and the connection carried over the server's
// close-on-expiry), then sign-out at the provider.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { startServer, stopServer, waitUntil } from './helpers.mjs';
import { startProvider } from './oidc-provider.mjs';

const require = createRequire(import.meta.url);
const CHROMIUM = '/usr/bin/chromium';
// Long enough for sign-in and the first message to finish before the first token expires on a
// loaded machine; short enough to see a refresh and the server's close-on-expiry within the test.
const TOKEN_TTL_SECONDS = 25;

let provider;
let server;
let browser;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`);
  provider = await startProvider({ accessTokenTtlSeconds: TOKEN_TTL_SECONDS });
  server = await startServer({
    CHAT_ENVIRONMENT: 'Production',
    CHAT_STORE: 'memory',
    JWT_SECRET: 'an-hs256-secret-for-the-browser-oidc-test-012345',
    JWT_AUTHORITY: provider.issuer,
    JWT_AUDIENCE: 'chat-api',
    OIDC_CLIENT_ID: 'chat-web',
    OIDC_SCOPES: 'openid profile offline_access',
  });
  const { chromium } = require('playwright-core');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  if (browser) await browser.close();
  await stopServer(server);
  await provider?.stop();
});

test('Production page: provider sign-in with PKCE, chat, token refresh, sign-out', { timeout: 240_000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 1100, height: 720 } });
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    // The provider's own page (its missing favicon) is not ours to judge.
    if (m.type() === 'error' && page.url().startsWith(server.url)) errors.push(m.text());
  });

  await page.goto(server.url + '/');
  // Production: no dev-token form, the provider's button instead.
  await page.waitForSelector('#oidc-signin:not([hidden])');
  assert.equal(await page.isVisible('#signin-form'), false);

  await page.click('#oidc-signin');
  await page.waitForURL((u) => u.href.startsWith(provider.issuer));
  const authorizeUrl = new URL(page.url());
  assert.equal(authorizeUrl.searchParams.get('code_challenge_method'), 'S256');
  assert.equal(authorizeUrl.searchParams.get('client_id'), 'chat-web');
  assert.equal(authorizeUrl.searchParams.get('scope'), 'openid profile offline_access');
  await page.fill('#username', 'Alice');
  await page.click('#sign-in');

  await page.waitForURL((u) => u.href.startsWith(server.url) && !u.search.includes('code='));
  await page.waitForSelector('#app:not([hidden])');
  await page.waitForFunction(() => document.getElementById('status').dataset.state === 'connected');
  assert.equal(await page.textContent('#status'), 'connected as alice');
  assert.equal((await provider.stats()).signIns, 1);

  await page.fill('#room-name', 'OIDC room');
  await page.click('#create-room-button');
  await page.waitForFunction(() => document.getElementById('room-title').textContent === 'OIDC room');
  await page.fill('#message-input', 'signed in with the provider');
  await page.press('#message-input', 'Enter');
  await page.waitForSelector('#messages li.message:has-text("signed in with the provider")');

  // The page refreshes its token before it expires; the server closes the connection at the first
  // token's expiry and the client reconnects with the refreshed one.
  await waitUntil(async () => (await provider.stats()).refreshes >= 1, 60_000, 'a token refresh');
  await waitUntil(() => errors.some((e) => /The authentication expired/.test(e)), 60_000, 'the close on expiry');
  await page.waitForFunction(() => document.getElementById('status').dataset.state === 'connected');
  await page.fill('#message-input', 'still here after the refresh');
  await page.press('#message-input', 'Enter');
  await page.waitForSelector('#messages li.message:has-text("still here after the refresh")');
  assert.equal(await page.textContent('#error'), '');

  // Sign-out goes through the provider's end-session endpoint and back to the page, signed out.
  await page.click('#signout');
  await page.waitForURL((u) => u.href.startsWith(server.url));
  await page.waitForSelector('#oidc-signin:not([hidden])');
  assert.equal(await page.isVisible('#app'), false);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('jvmchat.oidc.tokens')), null);
  // The client logs each close-on-expiry it recovered from; anything else is a defect.
  assert.ok(errors.some((e) => /The authentication expired/.test(e)), 'the server closed on expiry');
  assert.deepEqual(errors.filter((e) => !/The authentication expired/.test(e)), []);
  await context.close();
});
