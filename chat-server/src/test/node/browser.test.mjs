// The chat page in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core), as
// people use it: alice and bob sign in with dev tokens (json and messagepack), the room list
// updates by itself, they create and join rooms, see each other online, typing and messages
// (markup shown as text), unread counts, a private room with an added participant, history paged
// on scroll after a reload, and the phone layout. Screenshots at desktop and phone sizes go to
// target/screenshots/ (kept as CI artifacts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { startServer, stopServer, targetDir, devToken, createRoom as createRoomByApi } from './helpers.mjs';

const require = createRequire(import.meta.url);
const CHROMIUM = '/usr/bin/chromium';
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const shots = join(targetDir, 'screenshots');

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
  server = await startServer({ PRESENCE_GRACE: '500ms' });
  mkdirSync(shots, { recursive: true });
});

after(async () => {
  if (browser) await browser.close();
  await stopServer(server);
});

async function signIn(userId, name, { protocol = 'json', viewport = DESKTOP } = {}) {
  const context = await browser.newContext({ viewport, hasTouch: viewport === PHONE, isMobile: viewport === PHONE });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.errors = errors;
  await page.goto(server.url + '/');
  await page.fill('#signin-user', userId);
  await page.fill('#signin-name', name);
  await page.selectOption('#signin-protocol', protocol);
  await page.press('#signin-name', 'Enter');
  await page.waitForSelector('#app:not([hidden])');
  await connected(page);
  return page;
}

const connected = (page) =>
  page.waitForFunction(() => document.getElementById('status').dataset.state === 'connected');
const roomButton = (name) => `#rooms button:has(.room-name:text-is("${name}"))`;
const title = (page, name) =>
  page.waitForFunction((n) => document.getElementById('room-title').textContent === n, name);

async function createRoom(page, name, isPrivate = false) {
  await page.fill('#room-name', name);
  if (isPrivate) await page.check('#room-private');
  await page.click('#create-room-button');
  await title(page, name);
}

async function shot(page, name) {
  const path = join(shots, name);
  await page.screenshot({ path });
  assert.ok(statSync(path).size > 5000);
}

test('alice and bob chat: live room list, presence, typing, markup as text, unread counts, private rooms', { timeout: 180_000 }, async () => {
  const alice = await signIn('alice', 'Alice');
  const bob = await signIn('bob', 'Bob', { protocol: 'messagepack' });

  // alice creates a room; bob's list shows it without a reload, he joins; alice sees him join.
  // alice's online list is answered before bob joins and reaches her page only after his
  // UserJoined: the older list must not drop him.
  let onlineFetched;
  let releaseOnline;
  const fetched = new Promise((r) => (onlineFetched = r));
  const released = new Promise((r) => (releaseOnline = r));
  await alice.route('**/api/v1/rooms/*/online', async (route) => {
    const response = await route.fetch();
    onlineFetched();
    await released;
    await route.fulfill({ response });
  }, { times: 1 });
  await createRoom(alice, 'Browser room');
  await fetched;
  await bob.click(roomButton('Browser room'));
  await title(bob, 'Browser room');
  await alice.waitForSelector('#messages li.notice:has-text("Bob joined the room")');
  releaseOnline();

  // each sees the other online (the list and the dot)
  await alice.waitForSelector('#online li:has-text("Bob")');
  await bob.waitForSelector('#online li:has-text("Alice")');
  assert.match(await alice.textContent('#online-count'), /2 online/);

  // typing, then the message on both pages; the indicator clears
  await bob.type('#message-input', 'Hello', { delay: 20 });
  await alice.waitForFunction(() => document.getElementById('typing').textContent === 'Bob is typing…');
  await bob.press('#message-input', 'Enter');
  for (const page of [alice, bob]) await page.waitForSelector('#messages li.message:has-text("Hello")');
  await alice.waitForFunction(() => document.getElementById('typing').textContent === '');
  assert.equal(await alice.getAttribute('#messages li.message:has-text("Hello") .dot', 'class'), 'dot on');

  // markup is shown as text, no element is made from it
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
    items.map((li) => [li.querySelector('.sender').textContent, li.querySelector('.content').textContent, li.dataset.seq]));
  assert.deepEqual(bobSees, [['Bob', 'Hello', '1'], ['Alice', markup, '2']]);

  // Shift+Enter makes a new line, Enter sends it as one message
  await alice.type('#message-input', 'two');
  await alice.keyboard.down('Shift');
  await alice.keyboard.press('Enter');
  await alice.keyboard.up('Shift');
  await alice.type('#message-input', 'lines');
  await alice.press('#message-input', 'Enter');
  await bob.waitForFunction(() => Array.from(document.querySelectorAll('#messages .content')).some((e) => e.textContent === 'two\nlines'));

  // unread: bob is in "Browser room"; alice writes in a second room bob joined earlier
  await createRoom(alice, 'Second');
  await bob.click(roomButton('Second'));
  await title(bob, 'Second');
  await bob.click(roomButton('Browser room'));
  await title(bob, 'Browser room');
  // typed while the first is on its way: the first one's completion must not wipe it
  await alice.fill('#message-input', 'in the second room');
  await alice.press('#message-input', 'Enter');
  await alice.fill('#message-input', 'and again');
  await alice.press('#message-input', 'Enter');
  await bob.waitForSelector(`${roomButton('Second')} .unread:text-is("2")`);
  await shot(bob, 'desktop-chat.png');
  await bob.click(roomButton('Second'));
  await bob.waitForSelector('#messages .content:text-is("and again")');
  assert.equal(await bob.$(`${roomButton('Second')} .unread`), null, 'read once opened');

  // a private room: bob does not see it until alice adds him; then it appears by itself
  await createRoom(alice, 'Secret', true);
  await alice.waitForSelector('#add-participant-form:not([hidden])');
  // a public room created after it reaches bob's list (pushed, as every room is): had the
  // private room been sent to him, it would have come first
  await createRoomByApi(server.url, await devToken(server.url, 'carol-marker', 'Carol'), 'After the secret');
  await bob.waitForSelector(roomButton('After the secret'));
  assert.equal(await bob.$(roomButton('Secret')), null);
  await alice.fill('#participant-id', 'bob');
  await alice.click('#add-participant-button');
  await alice.waitForSelector('#messages li.notice:has-text("bob can now read and write here")');
  await bob.waitForSelector(`${roomButton('Secret')} .private-mark`);
  await bob.click(roomButton('Secret'));
  await title(bob, 'Secret');

  // an error is shown; the connection stays
  await alice.evaluate(() => document.getElementById('message-input').removeAttribute('maxlength'));
  await alice.fill('#message-input', 'x'.repeat(4001));
  await alice.press('#message-input', 'Enter');
  await alice.waitForFunction(() => /4000 characters/.test(document.getElementById('error').textContent));
  assert.equal(await alice.inputValue('#message-input'), 'x'.repeat(4001), 'the refused text is given back');
  await alice.fill('#message-input', '');
  assert.equal(await alice.evaluate(() => document.getElementById('status').dataset.state), 'connected');

  // bob leaves (closes the page): alice sees him go offline
  await alice.click(roomButton('Browser room'));
  await alice.waitForSelector('#online li:has-text("Bob")');
  await bob.context().close();
  await alice.waitForFunction(() => !document.getElementById('online').textContent.includes('Bob'), null, { timeout: 15_000 });
  await shot(alice, 'desktop-presence.png');
  assert.deepEqual(alice.errors, []);
  assert.deepEqual(bob.errors, []);
});

test('history pages back on scroll after a reload (the session is kept)', { timeout: 120_000 }, async () => {
  const carol = await signIn('carol', 'Carol');
  await createRoom(carol, 'Long history');
  await carol.evaluate(async () => {
    const input = document.getElementById('message-input');
    for (let i = 0; i < 60; i++) {
      input.value = 'line ' + i;
      document.getElementById('send-form').requestSubmit();
      await new Promise((resolve) => {
        const check = () =>
          Array.from(document.querySelectorAll('#messages .content')).some((e) => e.textContent === 'line ' + i)
            ? resolve()
            : setTimeout(check, 10);
        check();
      });
    }
  });
  await carol.reload();
  await carol.waitForSelector('#app:not([hidden])'); // signed in again from the session
  await connected(carol);
  await carol.click(roomButton('Long history'));
  await carol.waitForFunction(() => document.querySelectorAll('#messages li.message').length === 50);
  await carol.evaluate(() => {
    document.getElementById('messages-box').scrollTop = 0;
  });
  await carol.waitForFunction(() => document.querySelectorAll('#messages li.message').length === 60);
  const contents = await carol.$$eval('#messages li.message .content', (els) => els.map((e) => e.textContent));
  assert.deepEqual(contents, Array.from({ length: 60 }, (_, i) => 'line ' + i));
  assert.equal(await carol.isVisible('#load-older'), false);
  assert.deepEqual(carol.errors, []);
});

test('on a phone: the room list is a menu, the chat fills the screen', { timeout: 120_000 }, async () => {
  const dan = await signIn('dan', 'Dan', { viewport: PHONE });
  assert.equal(await dan.isVisible('#toggle-rooms'), true);
  assert.equal(await dan.isVisible('#create-room-form'), false, 'the menu starts closed');
  await dan.click('#toggle-rooms');
  assert.equal(await dan.getAttribute('#toggle-rooms', 'aria-expanded'), 'true');
  await dan.waitForSelector('#create-room-form', { state: 'visible' });
  await shot(dan, 'phone-rooms.png');
  await createRoom(dan, 'Pocket');
  assert.equal(await dan.getAttribute('#toggle-rooms', 'aria-expanded'), 'false');
  await dan.fill('#message-input', 'from my phone');
  await dan.click('#send-button');
  await dan.waitForSelector('#messages .content:text-is("from my phone")');
  const box = await dan.$eval('#send-form', (f) => f.getBoundingClientRect().right);
  assert.ok(box <= PHONE.width, 'the composer fits the screen');
  await shot(dan, 'phone-chat.png');
  assert.deepEqual(dan.errors, []);
});
