// Observability from outside a started server process: LOG_FORMAT=json writes one JSON object a
// line with the MDC keys at the top level, LOG_LEVEL sets the level, MANAGEMENT_PORT moves
// /metrics off the main port (health answers on both), and the scrape carries OpenTelemetry's
// SignalR metric names with ASP.NET Core's bucket boundaries, beside the deprecated names.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startServer, stopServer, devToken, api, createRoom, connect, waitUntil, DATABASE_URL, psql } from './helpers.mjs';

const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const SCHEMA = 'chat_obs_it_' + randomBytes(4).toString('hex');


const servers = [];
let schemaUsed = false;
after(async () => {
  await Promise.all(servers.map((s) => stopServer(s).catch(() => {})));
  if (schemaUsed) psql(`drop schema if exists ${SCHEMA} cascade`);
});

test('json logs, the management port and the OpenTelemetry SignalR metric names', { timeout: 120_000 }, async () => {
  const s = await startServer({
    CHAT_STORE: 'memory', LOG_FORMAT: 'json', LOG_LEVEL: 'DEBUG', MANAGEMENT_PORT: '0', MESSAGE_RATE_LIMIT: '1/1m',
  });
  servers.push(s);
  const port = await waitUntil(() => {
    const m = /Management port (\d+)/.exec(s.output);
    return m ? Number(m[1]) : undefined;
  }, 10_000, 'the management port line');
  const management = `http://127.0.0.1:${port}`;

  // /metrics only on the management port; health on both.
  assert.equal((await api(s.url, 'GET', '/metrics')).status, 404);
  for (const base of [s.url, management]) {
    assert.equal((await api(base, 'GET', '/health/live')).status, 200);
    assert.equal((await api(base, 'GET', '/health/ready')).status, 200);
  }

  const token = await devToken(s.url, 'olivia');
  const room = await createRoom(s.url, token, 'Observed');
  const ws = await connect(s.url, token, { transport: 'WebSockets' });
  const lp = await connect(s.url, token, { transport: 'LongPolling' });
  await ws.invoke('JoinRoom', room.id);
  await ws.invoke('SendMessage', room.id, 'hello');
  await assert.rejects(ws.invoke('SendMessage', room.id, 'over the limit'), /Rate limit exceeded/);
  await lp.stop();

  // One scrape reads its meters one after another, not at one instant: the connection may end
  // between the gauge's read and the timer's. Wait for a scrape that shows both sides of its end.
  const scrape = await waitUntil(async () => {
    const m = await api(management, 'GET', '/metrics');
    return m.status === 200
      && /signalr_server_connection_duration_seconds_count\{[^}]*signalr_transport="long_polling"/.test(m.body)
      && /signalr_server_active_connections\{signalr_transport="long_polling"\} 0\.0/.test(m.body) ? m.body : undefined;
  }, 10_000, 'the long-polling connection\'s end: its duration recorded, the active gauge back to 0');
  // (a failed match prints the pattern, not the whole scrape)
  const has = (pattern) => assert.ok(pattern.test(scrape), 'the scrape has ' + pattern);
  has(/# TYPE signalr_server_active_connections gauge/);
  has(/signalr_server_active_connections\{signalr_transport="web_sockets"\} 1\.0/);
  has(/signalr_server_active_connections\{signalr_transport="long_polling"\} 0\.0/);
  has(/# TYPE signalr_server_connection_duration_seconds histogram/);
  for (const le of ['0.01', '0.02', '0.05', '0.1', '0.2', '0.5', '1.0', '2.0', '5.0', '10.0', '30.0', '60.0', '120.0', '300.0', '\\+Inf']) {
    has(new RegExp(`signalr_server_connection_duration_seconds_bucket\\{[^}]*signalr_transport="long_polling",le="${le}"\\} [01]\\n`));
  }
  has(/signalr_server_connection_duration_seconds_count\{signalr_connection_status="normal_closure",signalr_transport="long_polling"\} 1/);
  has(/jvmchat_hub_invocation_duration_seconds_bucket\{hub="\/hubs\/chat",method="SendMessage",outcome="success",le="0\.005"\} \d/);
  has(/jvmchat_hub_invocation_duration_seconds_count\{hub="\/hubs\/chat",method="SendMessage",outcome="error"\} 1/);
  has(/jvmchat_limits_rejected_total\{limit="messages"\} 1\.0/);
  // the hub library's message counters (MicrometerHubMetrics, as the Spring Boot starter's)
  has(/jvmchat_hub_messages_received_total\{hub="\/hubs\/chat",protocol="json"\} [1-9]/);
  // The names of the previous release are still there (deprecated).
  has(/signalr_connections\{hub="\/hubs\/chat",protocol="json",transport="WebSockets"\} 1\.0/);
  has(/signalr_invocations_seconds_count\{hub="\/hubs\/chat",method="SendMessage",outcome="success"\} 1/);
  has(/jvm_memory_used_bytes\{/);
  await ws.stop();

  // Every line on stdout is one JSON object; the rate-limit refusal was logged (DEBUG) inside the
  // invocation, with the connection and the user from the MDC at the top level.
  const lines = s.output.split('\n').filter((l) => l.trim() !== '');
  assert.ok(lines.length > 3);
  const events = lines.map((l) => {
    try {
      return JSON.parse(l);
    } catch (e) {
      assert.fail('not a JSON line: ' + l);
    }
  });
  for (const e of events) {
    assert.equal(typeof e['@timestamp'], 'string');
    assert.match(e.level, /^(TRACE|DEBUG|INFO|WARN|ERROR)$/);
    assert.equal(typeof e.message, 'string');
  }
  assert.ok(events.some((e) => /Chat server listening on/.test(e.message) && e.level === 'INFO'));
  const refusal = events.find((e) => /refused by MESSAGE_RATE_LIMIT/.test(e.message));
  assert.ok(refusal, 'the DEBUG line of the refusal (LOG_LEVEL=DEBUG)');
  assert.equal(refusal.level, 'DEBUG');
  assert.equal(refusal.userId, 'olivia');
  assert.match(refusal.connectionId, /\S/);
});

test('PostgreSQL, Redis and the executor report: commit latency and batch sizes, the pool, backplane publishes, queue depths', { timeout: 120_000 }, async () => {
  schemaUsed = true;
  const s = await startServer({
    DATABASE_URL, DB_SCHEMA: SCHEMA, REDIS_URL, JWT_SECRET: randomBytes(32).toString('hex'), DB_STARTUP_TIMEOUT: '5s', MANAGEMENT_PORT: '0',
  });
  servers.push(s);
  const port = Number(/Management port (\d+)/.exec(s.output)[1]);
  const token = await devToken(s.url, 'petra');
  const room = await createRoom(s.url, token, 'Measured');
  const c = await connect(s.url, token);
  await c.invoke('JoinRoom', room.id);
  for (let i = 0; i < 3; i++) await c.invoke('SendMessage', room.id, 'm' + i);
  const scrape = await waitUntil(async () => {
    const m = await api(`http://127.0.0.1:${port}`, 'GET', '/metrics');
    // the heartbeat samples queue depths about once a second
    return /jvmchat_hub_outbound_queue_depth_bytes_count\{hub="\/hubs\/chat"\} [1-9]/.test(m.body) ? m.body : undefined;
  }, 10_000, 'a sampled outbound queue');
  const has = (pattern) => assert.ok(pattern.test(scrape), 'the scrape has ' + pattern);
  has(/jvmchat_store_commit_duration_seconds_bucket\{outcome="success",le="0\.001"\} \d/);
  has(/jvmchat_store_commit_duration_seconds_count\{outcome="success"\} [1-9]/);
  has(/jvmchat_store_commit_batch_size_messages_bucket\{le="1\.0"\} [1-9]/);
  has(/hikaricp_connections_active\{pool="[^"]+"\} /);
  has(/hikaricp_connections_acquire_seconds_count\{pool="[^"]+"\} [1-9]/);
  has(/jvmchat_backplane_publish_duration_seconds_count\{outcome="success"\} [1-9]/);
  has(/jvmchat_backplane_publish_duration_seconds_bucket\{outcome="success",le="0\.001"\} \d/);
  has(/executor_pool_size_threads\{name="hub"\} /);
  has(/executor_completed_tasks_total\{name="hub"\} [1-9]/);
  has(/jvmchat_hub_outbound_queue_depth_bytes_bucket\{hub="\/hubs\/chat",le="1024\.0"\} [1-9]/);
  // Lettuce's command latencies (Micrometer's lettuce.command.* timers, as histograms), from every
  // Redis client: the backplane's hub messages (XADD: its stream mode, the default), presence's and
  // the limits' scripts.
  has(/lettuce_command_completion_seconds_bucket\{command="XADD",local="local:any",remote="[^"]*6379",le="[^"]+"\} [1-9]/);
  has(/lettuce_command_completion_seconds_count\{command="XADD",local="local:any",remote="[^"]*6379"\} [1-9]/);
  has(/lettuce_command_firstresponse_seconds_count\{command="XADD",local="local:any",remote="[^"]*6379"\} [1-9]/);
  has(/lettuce_command_completion_seconds_count\{command="EVAL(?:SHA)?",local="local:any",remote="[^"]*6379"\} [1-9]/);
  await c.stop();
});
