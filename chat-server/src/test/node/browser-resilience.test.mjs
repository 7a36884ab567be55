// The chat page in headless Chromium when things go wrong or take time: the assistant's answer
// streams into the room as it is written (a FAKE OpenAI-compatible provider, a Node http server
// here), a private answer stops with the Stop button (the provider request is closed); and the
// connection state: the server goes away, the page says so and offers "Retry now", messages
// written meanwhile are shown once, in order, after the retry (gap recovery in the page).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { startServer, stopServer, targetDir, devToken, connect, waitUntil, DATABASE_URL, psql } from './helpers.mjs';

const require = createRequire(import.meta.url);
const CHROMIUM = '/usr/bin/chromium';
const SCHEMA = 'chat_page_it_' + randomBytes(4).toString('hex');
const shots = join(targetDir, 'screenshots');
const requests = [];
const script = [];
let fake;
let browser;
let server;
let env;


const chunk = (content) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content } }] })}\n\n`;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: the browser test needs Debian's Chromium (apt-get install -y chromium)`);
  fake = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const record = { closedByClient: false, done: false };
      requests.push(record);
      res.on('close', () => {
        if (!record.done) record.closedByClient = true;
      });
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      const deltas = script.shift() || ['(nothing scripted)'];
      if (deltas === 'endless') {
        const timer = setInterval(() => res.write(chunk('more ')), 80);
        res.on('close', () => clearInterval(timer));
        return;
      }
      let i = 0;
      const timer = setInterval(() => {
        if (i < deltas.length) {
          res.write(chunk(deltas[i++]));
        } else {
          clearInterval(timer);
          record.done = true;
          res.end('data: [DONE]\n\n');
        }
      }, 150);
    });
  });
  await new Promise((r) => fake.listen(0, '127.0.0.1', r));
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise((r) => s.close(r));
  env = {
    PORT: String(port),
    DATABASE_URL,
    DB_SCHEMA: SCHEMA,
    DB_STARTUP_TIMEOUT: '5s',
    JWT_SECRET: randomBytes(32).toString('hex'),
    OPENAI_API_KEY: 'test',
    OPENAI_BASE_URL: `http://127.0.0.1:${fake.address().port}/v1`,
    OPENAI_MODEL: 'fake-model',
    ASSISTANT_MAX_RETRIES: '0',
  };
  const { chromium } = require('playwright-core');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  server = await startServer(env);
  mkdirSync(shots, { recursive: true });
});

after(async () => {
  if (browser) await browser.close();
  await stopServer(server);
  fake?.close();
  psql(`set client_min_messages = warning; drop schema if exists ${SCHEMA} cascade`);
});

async function pageOf(userId, query = '') {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  await page.goto(server.url + '/' + query);
  await page.fill('#signin-user', userId);
  await page.click('#signin-button');
  await page.waitForFunction(() => document.getElementById('status').dataset.state === 'connected');
  return page;
}

async function createRoom(page, name) {
  await page.fill('#room-name', name);
  await page.click('#create-room-button');
  await page.waitForFunction((n) => document.getElementById('room-title').textContent === n, name);
}

test('the assistant: a room answer streams in as it is written; a private answer stops with Stop', { timeout: 120_000 }, async () => {
  const page = await pageOf('erin');
  await createRoom(page, 'Ask me');
  script.push(['The ', 'answer ', 'is ', '42.']);
  await page.fill('#message-input', '@gpt what is the answer?');
  await page.press('#message-input', 'Enter');
  // while it is written: one growing item marked as streaming
  await page.waitForSelector('#messages li.kind-assistant.streaming');
  await page.waitForSelector('#messages li.kind-assistant:not(.streaming) .content:text-is("The answer is 42.")');
  assert.equal(await page.$$eval('#messages li.kind-assistant', (l) => l.length), 1, 'the stored reply replaced the stream');

  script.push('endless');
  await page.fill('#message-input', 'tell me everything');
  await page.click('#ask-button');
  await page.waitForSelector('#private-answer:not([hidden])');
  await page.waitForFunction(() => document.getElementById('private-answer-text').textContent.includes('more more'));
  await page.screenshot({ path: join(shots, 'desktop-assistant.png') });
  await page.click('#stop-answer');
  await page.waitForSelector('#private-answer-text .note:has-text("stopped")');
  await waitUntil(() => requests.at(-1).closedByClient, 10_000, 'the provider request closed by the server');
  assert.equal(await page.isVisible('#stop-answer'), false);
  assert.deepEqual(page.errors, []);
});

test('connection state: the server goes away, "Retry now" brings the page back with every missed message once', { timeout: 180_000 }, async () => {
  const page = await pageOf('fred', '?reconnectForMs=1500');
  await createRoom(page, 'Outage');
  const roomId = await page.getAttribute('#rooms button.active', 'data-room-id');
  await page.fill('#message-input', 'before');
  await page.press('#message-input', 'Enter');
  await page.waitForSelector('#messages .content:text-is("before")');

  await stopServer(server);
  await page.waitForFunction(() => document.getElementById('status').dataset.state === 'disconnected', null, { timeout: 60_000 });
  assert.equal(await page.isVisible('#retry'), true);
  await page.screenshot({ path: join(shots, 'desktop-disconnected.png') });

  server = await startServer(env);
  const token = await devToken(server.url, 'gina', 'Gina');
  const other = await connect(server.url, token);
  await other.invoke('JoinRoom', roomId);
  for (let i = 0; i < 30; i++) await other.invoke('SendMessage', roomId, `missed ${i}`);
  await page.click('#retry');
  await page.waitForFunction(() => document.getElementById('status').dataset.state === 'connected');
  await other.invoke('SendMessage', roomId, 'after');
  await page.waitForSelector('#messages .content:text-is("after")');
  const contents = await page.$$eval('#messages li.message', (l) => l.map((li) => [li.dataset.seq, li.querySelector('.content').textContent]));
  assert.deepEqual(contents, [
    ['1', 'before'],
    ...Array.from({ length: 30 }, (_, i) => [String(i + 2), `missed ${i}`]),
    ['32', 'after'],
  ]);
  await other.stop();
  assert.ok(statSync(join(shots, 'desktop-disconnected.png')).size > 5000);
  assert.deepEqual(page.errors, []);
});
