// The @gpt assistant through the official @microsoft/signalr client against the built jar, with a
// FAKE OpenAI-compatible provider started here (a Node http server answering
// POST /v1/chat/completions with text/event-stream chunks): chunks reach every room member and
// concatenate to the stored reply; StreamAssistant reaches the caller alone and cancelling it
// closes the provider request; failures, timeouts and a missing key become system messages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import {
  startServer, stopServer, runToExit, devToken, api, createRoom, connect, waitUntil, hubErrorText,
} from './helpers.mjs';

// ---- the fake provider -----------------------------------------------------------------------
// Each request takes the next scripted behaviour from `script`; every request is recorded with its
// parsed body, its Authorization header and whether the client closed it before the answer ended.
const script = [];
const requests = [];
let fake;
let fakeUrl;

function chunk(content) {
  return `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content } }] })}\n\n`;
}

/** Streams `deltas` (with a small pause between them), then [DONE]. */
function answer(...deltas) {
  return async (req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    for (const d of deltas) {
      res.write(chunk(d));
      await new Promise((r) => setTimeout(r, 15));
    }
    res.end('data: [DONE]\n\n');
  };
}

/** Streams `deltas` endlessly, one every 50 ms, until the client closes the request. */
function endless(...deltas) {
  return (req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    let i = 0;
    const timer = setInterval(() => res.write(chunk(deltas[i++ % deltas.length])), 50);
    res.on('close', () => clearInterval(timer));
  };
}

/** An OpenAI-shaped error. */
function fail(status, message) {
  return (req, res) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ error: { message, type: 'test', code: null } }));
  };
}

/** Headers, then nothing: the first-token timeout must fire. */
function hang() {
  return (req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    res.flushHeaders();
  };
}

function startFake() {
  return new Promise((resolve) => {
    const server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (d) => (raw += d));
      req.on('end', () => {
        const record = {
          method: req.method,
          url: req.url,
          authorization: req.headers.authorization,
          body: raw ? JSON.parse(raw) : null,
          closedByClient: false,
          answered: false,
        };
        requests.push(record);
        res.on('finish', () => (record.answered = true));
        // the client (the chat server) closed the request before the answer was complete
        res.on('close', () => {
          if (!record.answered) record.closedByClient = true;
        });
        if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
          fail(404, 'unknown path ' + req.url)(req, res);
          return;
        }
        const next = script.shift();
        if (!next) {
          fail(500, 'the test scripted no answer for this request')(req, res);
          return;
        }
        next(req, res);
      });
    });
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

// ---- the chat servers ------------------------------------------------------------------------
let server; // with OPENAI_* pointed at the fake
let url;
let alice;
let bob;
const open = [];

async function conn(token) {
  const c = await connect(url, token);
  c.on('ReceiveAssistantChunk', (arg) => {
    c.events.push({ name: 'ReceiveAssistantChunk', arg });
  });
  open.push(c);
  return c;
}

async function roomWithBoth(name) {
  const room = await createRoom(url, alice, name);
  const a = await conn(alice);
  const b = await conn(bob);
  await a.invoke('JoinRoom', room.id);
  await b.invoke('JoinRoom', room.id);
  return { room, a, b };
}

before(async () => {
  fake = await startFake();
  fakeUrl = `http://127.0.0.1:${fake.address().port}/v1`;
  server = await startServer({
    OPENAI_API_KEY: 'test',
    OPENAI_BASE_URL: fakeUrl,
    OPENAI_MODEL: 'fake-model',
    ASSISTANT_SYSTEM_PROMPT: 'You are a test.',
    ASSISTANT_FIRST_TOKEN_TIMEOUT: '1500ms',
    ASSISTANT_MAX_RETRIES: '0',
  });
  url = server.url;
  alice = await devToken(url, 'alice', 'Alice');
  bob = await devToken(url, 'bob', 'Bob');
});

after(async () => {
  await Promise.all(open.map((c) => c.stop().catch(() => {})));
  await stopServer(server);
  fake.closeAllConnections();
  await new Promise((r) => fake.close(r));
});

test('the ready line and /health say the assistant is configured, without calling the provider', async () => {
  assert.match(server.output, /Chat server listening on .*assistant model fake-model\)/);
  const before = requests.length;
  const h = await api(url, 'GET', '/health');
  assert.equal(h.status, 200);
  assert.equal(h.body.entries.assistant.status, 'healthy');
  assert.match(h.body.entries.assistant.detail, /^configured \(model fake-model\)/);
  assert.equal(requests.length, before);
});

test('@gpt: chunks reach every member of the room and concatenate to the stored reply', async () => {
  const { room, a, b } = await roomWithBoth('Ask');
  await b.invoke('SendMessage', room.id, 'SignalR, anyone?');
  script.push(answer('Signal', 'R is a ', 'real-time ', 'library. 😀'));
  const n = requests.length;

  const mine = await a.invoke('SendMessage', room.id, 'Hey @GPT, what is it?');
  assert.equal(mine.kind, 'user');

  for (const c of [a, b]) {
    const reply = await c.waitFor('ReceiveMessage', (m) => m.kind === 'assistant');
    assert.equal(reply.content, 'SignalR is a real-time library. 😀');
    assert.equal(reply.roomId, room.id);
    assert.equal(reply.senderId, 'assistant');
    const chunks = c.received('ReceiveAssistantChunk');
    assert.ok(chunks.length >= 1);
    for (const ch of chunks) {
      assert.deepEqual(Object.keys(ch), ['roomId', 'messageId', 'delta']);
      assert.equal(ch.roomId, room.id);
      assert.equal(ch.messageId, reply.id);
    }
    assert.equal(chunks.map((ch) => ch.delta).join(''), reply.content);
  }

  const sent = requests[n];
  assert.equal(sent.authorization, 'Bearer test');
  assert.equal(sent.body.model, 'fake-model');
  assert.equal(sent.body.stream, true);
  assert.deepEqual(sent.body.messages, [
    { role: 'system', content: 'You are a test.' },
    { role: 'user', content: 'Bob: SignalR, anyone?' },
    { role: 'user', content: 'Alice: Hey @GPT, what is it?' },
  ]);

  const history = await api(url, 'GET', `/api/v1/rooms/${room.id}/messages`, bob);
  const last = history.body.items.at(-1);
  assert.equal(last.kind, 'assistant');
  assert.equal(last.content, 'SignalR is a real-time library. 😀');
  assert.equal(history.body.items.length, 3);
});

test('StreamAssistant streams to the caller alone; nothing is stored or sent to the room', async () => {
  const { room, a, b } = await roomWithBoth('Private');
  script.push(answer('just ', 'for ', 'you'));
  const items = [];
  await new Promise((resolve, reject) => {
    a.stream('StreamAssistant', room.id, 'summarise').subscribe({
      next: (x) => items.push(x),
      complete: resolve,
      error: reject,
    });
  });
  assert.equal(items.join(''), 'just for you');
  const marker = await a.invoke('SendMessage', room.id, 'marker');
  await b.waitFor('ReceiveMessage', (m) => m.id === marker.id);
  assert.deepEqual(b.received('ReceiveAssistantChunk'), []);
  assert.deepEqual(b.received('ReceiveMessage').map((m) => m.content), ['marker']);
  assert.deepEqual(a.received('ReceiveAssistantChunk'), []);
  const history = await api(url, 'GET', `/api/v1/rooms/${room.id}/messages`, alice);
  assert.deepEqual(history.body.items.map((m) => m.content), ['marker']);
});

test('cancelling StreamAssistant midway closes the request to the provider', async () => {
  const { room, a } = await roomWithBoth('Cancel');
  script.push(endless('more ', 'and more '));
  const n = requests.length;
  const items = [];
  const subscription = a.stream('StreamAssistant', room.id, 'never stop').subscribe({
    next: (x) => items.push(x),
    complete: () => {},
    error: () => {},
  });
  await waitUntil(() => items.length >= 3, 10_000, 'three stream items');
  subscription.dispose(); // sends CancelInvocation
  await waitUntil(() => requests[n] && requests[n].closedByClient, 10_000, 'the provider request to close');
  assert.equal(a.state, 'Connected');
});

test('a provider failure (500, 401) becomes a system message in the room', async () => {
  const { room, a, b } = await roomWithBoth('Failures');
  script.push(fail(500, 'internal error'));
  await a.invoke('SendMessage', room.id, '@gpt are you ok?');
  const m500 = await b.waitFor('ReceiveMessage', (m) => m.kind === 'system');
  assert.equal(m500.content, 'The assistant could not answer: the provider failed (HTTP 500).');
  assert.equal(m500.senderId, 'system');

  script.push(fail(401, 'Incorrect API key provided'));
  await a.invoke('SendMessage', room.id, '@gpt and now?');
  const m401 = await b.waitFor('ReceiveMessage', (m) => m.kind === 'system' && m.id !== m500.id);
  assert.match(m401.content, /^The assistant could not answer: the provider rejected the API key \(HTTP 401\)/);

  const history = await api(url, 'GET', `/api/v1/rooms/${room.id}/messages`, bob);
  assert.deepEqual(history.body.items.map((m) => m.kind), ['user', 'system', 'user', 'system']);
  assert.equal((await api(url, 'GET', '/health/ready')).status, 200);
});

test('a provider that never sends a token hits the first-token timeout: a system message', async () => {
  const { room, a } = await roomWithBoth('Timeout');
  script.push(hang());
  const n = requests.length;
  await a.invoke('SendMessage', room.id, '@gpt hello?');
  const m = await a.waitFor('ReceiveMessage', (x) => x.kind === 'system', 15_000);
  assert.equal(m.content, 'The assistant could not answer: the provider did not answer in time.');
  await waitUntil(() => requests[n] && requests[n].closedByClient, 10_000, 'the hanging request to close');
});

test('without OPENAI_API_KEY: @gpt gets a "not configured" system reply and /health says disabled', async () => {
  const plain = await startServer();
  try {
    const token = await devToken(plain.url, 'carol', 'Carol');
    const room = await createRoom(plain.url, token, 'No key');
    const c = await connect(plain.url, token);
    try {
      await c.invoke('JoinRoom', room.id);
      await c.invoke('SendMessage', room.id, '@gpt hello?');
      const m = await c.waitFor('ReceiveMessage', (x) => x.kind === 'system');
      assert.match(m.content, /^The assistant is not configured on this server/);
      await assert.rejects(
        new Promise((resolve, reject) => {
          c.stream('StreamAssistant', room.id, 'hi').subscribe({ next: () => {}, complete: resolve, error: reject });
        }),
        (err) => {
          assert.match(hubErrorText(err), /^The assistant is not configured on this server/);
          return true;
        },
      );
      const h = await api(plain.url, 'GET', '/health');
      assert.equal(h.status, 200);
      assert.equal(h.body.entries.assistant.status, 'disabled');
    } finally {
      await c.stop();
    }
  } finally {
    await stopServer(plain);
  }
});

test('invalid assistant settings stop the start with one clear line', async () => {
  for (const [env, expected] of [
    [{ ASSISTANT_RATE_LIMIT: '0' }, /^chat-server: invalid configuration: ASSISTANT_RATE_LIMIT must be 1\.\.1000000 \(was 0\)$/],
    [{ OPENAI_API_KEY: 'bad key', ASSISTANT_FIRST_TOKEN_TIMEOUT: '1s' }, /^chat-server: invalid configuration: .*apiKey must be printable ASCII/],
  ]) {
    const { code, stderr } = await runToExit(env);
    assert.equal(code, 2, stderr);
    const lines = stderr.trim().split('\n');
    assert.equal(lines.length, 1, stderr);
    assert.match(lines[0], expected);
    assert.ok(!lines[0].includes('bad key'));
  }
});
