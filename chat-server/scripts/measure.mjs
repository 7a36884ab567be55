// Measures the built jar on this machine: time to the ready line, and SendMessage round trips
// (invoke -> stored in PostgreSQL -> completion) over WebSockets with json and messagepack.
// Usage (after `mvn -DskipTests package`): node chat-server/scripts/measure.mjs [messages]
import { startServer, stopServer, devToken, createRoom, connect } from '../src/test/node/helpers.mjs';

const n = Number(process.argv[2] || 500);
const t0 = Date.now();
const server = await startServer();
const startMs = Date.now() - t0;
try {
  const url = server.url;
  const token = await devToken(url, 'bench', 'Bench');
  for (const protocol of ['json', 'messagepack']) {
    const room = await createRoom(url, token, 'bench-' + protocol);
    const c = await connect(url, token, { protocol });
    await c.invoke('JoinRoom', room.id);
    for (let i = 0; i < 50; i++) await c.invoke('SendMessage', room.id, 'warm-up ' + i);
    const times = [];
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const s = process.hrtime.bigint();
      await c.invoke('SendMessage', room.id, 'message ' + i);
      times.push(Number(process.hrtime.bigint() - s) / 1e6);
    }
    const total = Number(process.hrtime.bigint() - start) / 1e6;
    times.sort((a, b) => a - b);
    const p = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(2);
    console.log(`${protocol}: ${n} sequential SendMessage: ${(n / (total / 1000)).toFixed(0)}/s, p50 ${p(0.5)} ms, p99 ${p(0.99)} ms`);
    await c.stop();
  }
  console.log(`start to ready line (embedded PostgreSQL, fresh data directory): ${startMs} ms`);
} finally {
  await stopServer(server);
  const lines = server.output.split('\n').filter((l) => / (WARN|ERROR) /.test(l));
  if (lines.length) console.log('server warnings/errors:\n' + lines.join('\n'));
}
