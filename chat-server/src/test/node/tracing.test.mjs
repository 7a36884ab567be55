// Tracing from outside: the server started with OTEL_EXPORTER_OTLP_ENDPOINT sends its spans over
// OTLP/HTTP (protobuf) to a receiver this test runs; the W3C traceparent of an HTTP request and of
// a SignalR invocation message's headers (where ASP.NET Core 9's .NET client puts it) becomes the
// span's parent; JSON log lines inside a span carry its traceId and spanId.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { signalR, startServer, stopServer, devToken, createRoom, connect, waitUntil } from './helpers.mjs';

const require = createRequire(import.meta.url);
const WebSocket = require('ws'); // @microsoft/signalr's own Node dependency

// ------------------------------------------------------------------ a tiny OTLP/HTTP receiver

function varint(buf, i) {
  let v = 0n;
  let shift = 0n;
  for (;;) {
    const b = buf[i++];
    v |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [v, i];
    shift += 7n;
  }
}

/** Protobuf wire format → [{field, v}] (v: BigInt for varints, a Buffer otherwise). */
function fields(buf) {
  const out = [];
  let i = 0;
  while (i < buf.length) {
    let key;
    [key, i] = varint(buf, i);
    const field = Number(key >> 3n);
    const type = Number(key & 7n);
    if (type === 0) {
      let v;
      [v, i] = varint(buf, i);
      out.push({ field, v });
    } else if (type === 1) {
      out.push({ field, v: buf.subarray(i, i + 8) });
      i += 8;
    } else if (type === 2) {
      let len;
      [len, i] = varint(buf, i);
      out.push({ field, v: buf.subarray(i, i + Number(len)) });
      i += Number(len);
    } else if (type === 5) {
      out.push({ field, v: buf.subarray(i, i + 4) });
      i += 4;
    } else {
      throw new Error('unexpected wire type ' + type);
    }
  }
  return out;
}
const all = (buf, n) => fields(buf).filter((f) => f.field === n).map((f) => f.v);
const one = (buf, n) => all(buf, n)[0];

/** ExportTraceServiceRequest → spans {traceId, spanId, parentSpanId, name, attributes, statusCode}. */
function spansOf(body) {
  const spans = [];
  for (const resourceSpans of all(body, 1)) {
    for (const scopeSpans of all(resourceSpans, 2)) {
      for (const s of all(scopeSpans, 2)) {
        const attributes = {};
        for (const kv of all(s, 9)) {
          const value = one(kv, 2);
          const str = value && one(value, 1);
          const int = value && one(value, 3);
          attributes[one(kv, 1).toString()] = str !== undefined ? str.toString() : int !== undefined ? Number(int) : undefined;
        }
        const status = one(s, 15);
        const start = one(s, 7);
        const end = one(s, 8);
        spans.push({
          startNanos: start ? start.readBigUInt64LE(0) : 0n,
          endNanos: end ? end.readBigUInt64LE(0) : 0n,
          traceId: one(s, 1).toString('hex'),
          spanId: one(s, 2).toString('hex'),
          parentSpanId: (one(s, 4) || Buffer.alloc(0)).toString('hex'),
          name: one(s, 5).toString(),
          attributes,
          statusCode: status && one(status, 3) !== undefined ? Number(one(status, 3)) : 0,
        });
      }
    }
  }
  return spans;
}

const received = [];
const receiver = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (req.method === 'POST' && req.url === '/v1/traces') {
      assert.match(req.headers['content-type'], /application\/x-protobuf/);
      received.push(...spansOf(Buffer.concat(chunks)));
      res.writeHead(200, { 'Content-Type': 'application/x-protobuf' });
      res.end();
    } else {
      res.writeHead(404);
      res.end();
    }
  });
});
await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
const servers = [];
after(async () => {
  await Promise.all(servers.map((s) => stopServer(s).catch(() => {})));
  receiver.close();
});

const span = (predicate, what) => waitUntil(() => received.find(predicate), 15_000, what);
const traceparent = () => {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, spanId, header: `00-${traceId}-${spanId}-01` };
};

/** A raw SignalR JSON connection over `ws`, so that invocations can carry headers. */
async function rawConnection(url, token) {
  const n = await fetch(url + '/hubs/chat/negotiate?negotiateVersion=1', { method: 'POST', headers: { Authorization: 'Bearer ' + token } });
  const { connectionToken } = await n.json();
  const ws = new WebSocket(url.replace('http', 'ws') + '/hubs/chat?id=' + encodeURIComponent(connectionToken) + '&access_token=' + encodeURIComponent(token));
  const messages = [];
  ws.on('message', (data) => {
    for (const part of data.toString().split('\x1e')) if (part) messages.push(JSON.parse(part));
  });
  await new Promise((res, rej) => { ws.once('open', res); ws.once('error', rej); });
  ws.send(JSON.stringify({ protocol: 'json', version: 1 }) + '\x1e');
  await waitUntil(() => messages.length > 0, 5_000, 'the handshake');
  assert.deepEqual(messages.shift(), {});
  let next = 1;
  return {
    ws,
    async invoke(target, args, headers) {
      const invocationId = String(next++);
      ws.send(JSON.stringify({ type: 1, invocationId, target, arguments: args, headers }) + '\x1e');
      return waitUntil(() => messages.find((m) => m.type === 3 && m.invocationId === invocationId), 10_000, 'completion of ' + target);
    },
  };
}

test('spans reach the OTLP receiver with the trace context of HTTP headers and invocation headers', { timeout: 120_000 }, async () => {
  const s = await startServer({
    CHAT_STORE: 'memory', OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${receiver.address().port}`,
    OTEL_BSP_SCHEDULE_DELAY: '100', OTEL_SERVICE_NAME: 'chat-under-test',
    LOG_FORMAT: 'json', LOG_LEVEL: 'DEBUG', MESSAGE_RATE_LIMIT: '1/1m',
  });
  servers.push(s);

  // An HTTP route: traceparent header → parent.
  const http = traceparent();
  const res = await fetch(s.url + '/api/v1/auth/dev-token', {
    method: 'POST', headers: { 'Content-Type': 'application/json', traceparent: http.header }, body: JSON.stringify({ userId: 'tracy' }),
  });
  assert.equal(res.status, 200);
  const token = (await res.json()).accessToken;
  const httpSpan = await span((x) => x.traceId === http.traceId, 'the dev-token span');
  assert.equal(httpSpan.name, 'POST /api/v1/auth/dev-token');
  assert.equal(httpSpan.parentSpanId, http.spanId);
  assert.equal(httpSpan.attributes['http.route'], '/api/v1/auth/dev-token');
  assert.equal(httpSpan.attributes['http.response.status_code'], 200);

  // Hub invocations: traceparent in the invocation message's headers → parent.
  const room = await createRoom(s.url, token, 'Traced');
  const raw = await rawConnection(s.url, token);
  const join = traceparent();
  assert.equal((await raw.invoke('JoinRoom', [room.id], { traceparent: join.header })).error, undefined);
  const joinSpan = await span((x) => x.traceId === join.traceId, 'the JoinRoom span');
  assert.equal(joinSpan.name, 'ChatHub/JoinRoom');
  assert.equal(joinSpan.parentSpanId, join.spanId);
  assert.deepEqual(
    [joinSpan.attributes['rpc.system'], joinSpan.attributes['rpc.service'], joinSpan.attributes['rpc.method'], joinSpan.attributes['signalr.hub.path']],
    ['signalr', 'ChatHub', 'JoinRoom', '/hubs/chat']);
  assert.equal(joinSpan.statusCode, 0, 'unset: it succeeded');

  await raw.invoke('SendMessage', [room.id, 'traced'], { traceparent: traceparent().header });
  const refused = traceparent();
  const completion = await raw.invoke('SendMessage', [room.id, 'over the limit'], { traceparent: refused.header });
  assert.match(completion.error, /Rate limit exceeded/);
  const refusedSpan = await span((x) => x.traceId === refused.traceId, 'the refused SendMessage span');
  assert.equal(refusedSpan.statusCode, 2, 'ERROR');
  assert.equal(refusedSpan.attributes['error.type'], 'org.jvmchat.protocol.HubException');
  // The DEBUG line logged inside that invocation carries the span's ids.
  const line = await waitUntil(() => s.output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l))
    .find((e) => /refused by MESSAGE_RATE_LIMIT/.test(e.message)), 5_000, 'the refusal log line');
  assert.equal(line.traceId, refused.traceId);
  assert.equal(line.spanId, refusedSpan.spanId);
  assert.equal(line.userId, 'tracy');

  // The official client sends no trace headers: its invocations are root spans.
  const official = await connect(s.url, token);
  await official.invoke('LeaveRoom', room.id);
  const root = await span((x) => x.name === 'ChatHub/LeaveRoom', 'the LeaveRoom span');
  assert.equal(root.parentSpanId, '');
  raw.ws.close();
  await official.stop();
});

test('a span per hub request: negotiate and every transport request, parented by the traceparent header; a WebSocket\'s and an SSE stream\'s span lasts as long as the connection', { timeout: 120_000 }, async () => {
  const s = await startServer({
    CHAT_STORE: 'memory', OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${receiver.address().port}`,
    OTEL_BSP_SCHEDULE_DELAY: '100',
  });
  servers.push(s);
  const token = await devToken(s.url, 'requests');
  const expected = { WebSockets: ['web_sockets', 101], ServerSentEvents: ['server_sent_events', 200], LongPolling: ['long_polling', 200] };
  for (const [transport, [attribute, status]] of Object.entries(expected)) {
    const tp = traceparent();
    // The official client sends custom headers with every request, WebSocket and SSE included in Node.
    const connection = new signalR.HubConnectionBuilder()
      .withUrl(s.url + '/hubs/chat', { accessTokenFactory: () => token, transport: signalR.HttpTransportType[transport], headers: { traceparent: tp.header } })
      .configureLogging(signalR.LogLevel.None).build();
    await connection.start();
    await connection.invoke('NoSuchMethodUsedAsABarrier').catch(() => {}); // a send on SSE and long polling
    const ofTrace = (name) => (x) => x.traceId === tp.traceId && x.name === name;
    const negotiate = await span(ofTrace('POST /hubs/chat/negotiate'), transport + ': the negotiate span');
    assert.equal(negotiate.parentSpanId, tp.spanId);
    assert.equal(negotiate.attributes['http.route'], '/hubs/chat/negotiate');
    assert.equal(negotiate.attributes['http.response.status_code'], 200);
    assert.equal(negotiate.attributes['signalr.hub.path'], '/hubs/chat');
    if (transport !== 'LongPolling') {
      const send = transport === 'ServerSentEvents' ? await span(ofTrace('POST /hubs/chat'), 'the send span') : null;
      if (send) assert.equal(send.attributes['http.response.status_code'], 200);
      // The stream is still open: its request has not ended, so no span was exported for it.
      await new Promise((r) => setTimeout(r, 500)); // several export intervals (100 ms)
      assert.equal(received.find(ofTrace('GET /hubs/chat')), undefined, transport + ': no span while the request lasts');
    }
    const stoppedAt = BigInt(Date.now()) * 1_000_000n;
    await connection.stop();
    const get = await span((x) => ofTrace('GET /hubs/chat')(x) && x.attributes['signalr.transport'] === attribute, transport + ': the transport request span');
    assert.equal(get.parentSpanId, tp.spanId);
    assert.equal(get.attributes['http.route'], '/hubs/chat');
    if (transport === 'LongPolling') {
      const polls = received.filter(ofTrace('GET /hubs/chat'));
      assert.ok(polls.every((x) => [200, 204].includes(x.attributes['http.response.status_code'])), 'polls answered 200 or 204');
      await span(ofTrace('POST /hubs/chat'), 'the long-polling send span');
      const del = await span(ofTrace('DELETE /hubs/chat'), 'the DELETE span');
      assert.ok(del.attributes['http.response.status_code'] < 300);
    } else {
      assert.equal(get.attributes['http.response.status_code'], status);
      assert.ok(get.endNanos >= stoppedAt - 50_000_000n, transport + ': the span ended with the connection');
    }
  }
});
