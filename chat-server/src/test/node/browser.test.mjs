// The chat page in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core):
// alice and bob sign in with dev tokens in two browser contexts, chat with each other, see each
// other's messages, typing and joins; a screenshot goes to target/screenshots/chat.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { startServer, stopServer, targetDir } from './helpers.mjs';

const require = createRequire(import.meta.url);
const CHROMIUM = '/usr/bin/chromium';

let server;
let browser;

before(async () => {
  assert.ok(
    existsSync(CHROMIUM),
    `${CHROMIUM} is missing: the browser test needs Debian's Chromium (apt-get install -y chromium)`,
  );
  const { chromium } = require('playwright-core');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  server = await startServer();
});

after(async () => {
  if (browser) await browser.close();
  await stopServer(server);
});

async function signIn(userId, name, protocol = 'json') {
  const context = await browser.newContext({ viewport: { width: 1100, height: 720 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.errors = errors;
  await page.goto(server.url + '/');
  await page.fill('#signin-user', userId);
  await page.fill('#signin-name', name);
  await page.selectOption('#signin-protocol', protocol);
  await page.click('#signin-button');
  await page.waitForSelector('#app:not([hidden])');
  await page.waitForFunction(() => document.getElementById('status').dataset.state === 'connected');
  return page;
}

test('alice and bob chat in the browser: messages, typing, joins and markup shown as text', { timeout: 120_000 }, async () => {
  const alice = await signIn('alice', 'Alice');
  const bob = await signIn('bob', 'Bob', 'messagepack');

  // alice creates a room and is put in it
  await alice.fill('#room-name', 'Browser room');
  await alice.click('#create-room-button');
  await alice.waitForFunction(() => document.getElementById('room-title').textContent === 'Browser room');

  // bob refreshes the room list and joins; alice sees him join
  await bob.click('#refresh-rooms');
  await bob.click('#rooms button:has-text("Browser room")');
  await bob.waitForFunction(() => document.getElementById('room-title').textContent === 'Browser room');
  await alice.waitForSelector('#messages li.notice:has-text("Bob joined the room")');

  // bob types: alice sees the indicator
  await bob.type('#message-input', 'Hello', { delay: 20 });
  await alice.waitForFunction(() => document.getElementById('typing').textContent === 'Bob is typing…');
  await bob.press('#message-input', 'Enter');
  await alice.waitForSelector('#messages li.message:has-text("Hello")');
  await bob.waitForSelector('#messages li.message:has-text("Hello")');
  await alice.waitForFunction(() => document.getElementById('typing').textContent === '');

  // alice answers with markup: both pages show it as text, no element is created from it
  const markup = '<img src=x onerror="window.pwned=1"><b>bold?</b> 😀';
  await alice.fill('#message-input', markup);
  await alice.press('#message-input', 'Enter');
  for (const page of [alice, bob]) {
    await page.waitForFunction(
      (text) => Array.from(document.querySelectorAll('#messages li.message .content')).some((e) => e.textContent === text),
      markup,
    );
    assert.equal(await page.evaluate(() => document.querySelectorAll('#messages img, #messages b').length), 0);
    assert.equal(await page.evaluate(() => window.pwned), undefined);
  }
  const bobSees = await bob.$$eval('#messages li.message', (items) =>
    items.map((li) => [li.querySelector('.sender').textContent, li.querySelector('.content').textContent]));
  assert.deepEqual(bobSees, [['Bob', 'Hello'], ['Alice', markup]]);

  // an error is shown, the connection stays
  await alice.evaluate(() => document.getElementById('message-input').removeAttribute('maxlength'));
  await alice.fill('#message-input', 'x'.repeat(4001));
  await alice.press('#message-input', 'Enter');
  await alice.waitForFunction(() => /4000 characters/.test(document.getElementById('error').textContent));
  assert.equal(await alice.evaluate(() => document.getElementById('status').dataset.state), 'connected');

  mkdirSync(join(targetDir, 'screenshots'), { recursive: true });
  const shot = join(targetDir, 'screenshots', 'chat.png');
  await alice.screenshot({ path: shot, fullPage: true });
  assert.ok(statSync(shot).size > 5000);
  assert.deepEqual(alice.errors, []);
  assert.deepEqual(bob.errors, []);
});

test('history pages back with "Load older messages"', { timeout: 120_000 }, async () => {
  const alice = await signIn('carol', 'Carol');
  await alice.fill('#room-name', 'Long history');
  await alice.click('#create-room-button');
  await alice.waitForFunction(() => document.getElementById('room-title').textContent === 'Long history');
  // 60 messages through the page's own connection
  await alice.evaluate(async () => {
    const input = document.getElementById('message-input');
    for (let i = 0; i < 60; i++) {
      input.value = 'line ' + i;
      document.getElementById('send-form').requestSubmit();
      // wait until the page has shown it
      await new Promise((resolve) => {
        const check = () =>
          Array.from(document.querySelectorAll('#messages .content')).some((e) => e.textContent === 'line ' + i)
            ? resolve()
            : setTimeout(check, 10);
        check();
      });
    }
  });
  await alice.reload();
  await alice.fill('#signin-user', 'carol');
  await alice.click('#signin-button');
  await alice.waitForSelector('#app:not([hidden])');
  await alice.click('#rooms button:has-text("Long history")');
  await alice.waitForFunction(() => document.querySelectorAll('#messages li.message').length === 50);
  assert.equal(await alice.isVisible('#load-older'), true);
  await alice.click('#load-older');
  await alice.waitForFunction(() => document.querySelectorAll('#messages li.message').length === 60);
  const contents = await alice.$$eval('#messages li.message .content', (els) => els.map((e) => e.textContent));
  assert.deepEqual(contents, Array.from({ length: 60 }, (_, i) => 'line ' + i));
  assert.equal(await alice.isVisible('#load-older'), false);
});
