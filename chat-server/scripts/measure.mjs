// Measures the built jar on this machine.
//
// Sequential (the original measurement): time to the ready line, and SendMessage round trips
// (invoke -> stored in PostgreSQL -> completion) over WebSockets with json and messagepack, one
// client waiting for each completion:
//   node chat-server/scripts/measure.mjs [messages]
//
// Concurrent: N connections, each with its own dev-token user and its own room, each keeping one
// SendMessage in flight (closed loop: invoke, await the completion, repeat) for S seconds after a
// warm-up; prints round trips/s, p50/p90/p99 and the CPU the server (java) and its embedded
// PostgreSQL used while measuring (from /proc; 100% = one core):
//   node chat-server/scripts/measure.mjs --connections 50 --seconds 10 [--warmup 3]
//     [--protocol json|messagepack] [--url http://127.0.0.1:5099]
// Without --url it starts target/chat-server.jar on its embedded defaults (fresh data directory);
// with --url it uses a running server (its CPU is then reported only when --pid is given).
import { readFileSync, readdirSync } from 'node:fs';
import { startServer, stopServer, devToken, createRoom, connect } from '../src/test/node/helpers.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf('--' + name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};

if (args.includes('--connections')) {
  await concurrent();
} else {
  await sequential(Number(args[0] || 500));
}

async function sequential(n) {
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
    printWarnings(server);
  }
}

async function concurrent() {
  const connections = Number(option('connections', 50));
  const seconds = Number(option('seconds', 10));
  const warmup = Number(option('warmup', 3));
  const protocol = option('protocol', 'json');
  let server = null;
  let url = option('url', null);
  let javaPid = option('pid', null);
  if (!url) {
    server = await startServer();
    url = server.url;
    javaPid = String(server.child.pid);
  }
  try {
    const clients = await Promise.all(
      Array.from({ length: connections }, async (_, i) => {
        const user = `load-${process.pid}-${i}`;
        const token = await devToken(url, user, 'Load ' + i);
        const room = await createRoom(url, token, 'load ' + i);
        const c = await connect(url, token, { protocol });
        await c.invoke('JoinRoom', room.id);
        return { c, room };
      }),
    );
    let phase = 'warmup';
    const times = [];
    let errors = 0;
    const loops = clients.map(async ({ c, room }, i) => {
      let k = 0;
      while (phase !== 'stop') {
        const s = process.hrtime.bigint();
        try {
          await c.invoke('SendMessage', room.id, `message ${i}/${k++}`);
          if (phase === 'measure') times.push(Number(process.hrtime.bigint() - s) / 1e6);
        } catch (e) {
          if (phase === 'measure') errors++;
        }
      }
    });
    await sleep(warmup * 1000);
    const cpu0 = cpuSample(javaPid, server);
    const start = process.hrtime.bigint();
    phase = 'measure';
    await sleep(seconds * 1000);
    phase = 'stop';
    const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    const cpu1 = cpuSample(javaPid, server);
    await Promise.all(loops);
    times.sort((a, b) => a - b);
    const p = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(2);
    console.log(
      `${protocol} over WebSockets, ${connections} connections (one room and one user each, one SendMessage in flight each), ${seconds}s measured after ${warmup}s warm-up:`,
    );
    console.log(
      `  ${(times.length / elapsed).toFixed(0)} round trips/s (${times.length} in ${elapsed.toFixed(1)}s, ${errors} errors), p50 ${p(0.5)} ms, p90 ${p(0.9)} ms, p99 ${p(0.99)} ms`,
    );
    if (cpu0 && cpu1) {
      const pct = (a, b) => (((b - a) / elapsed) * 100).toFixed(0);
      console.log(
        `  CPU while measuring (100% = one core, ${navigatorCores()} cores): server JVM ${pct(cpu0.java, cpu1.java)}%` +
          (cpu0.postgres !== null ? `, embedded PostgreSQL ${pct(cpu0.postgres, cpu1.postgres)}%` : '') +
          `, this Node client ${pct(cpu0.self, cpu1.self)}%`,
      );
    }
    await Promise.all(clients.map(({ c }) => c.stop()));
  } finally {
    if (server) {
      await stopServer(server);
      printWarnings(server);
    }
  }
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

function navigatorCores() {
  return readFileSync('/proc/cpuinfo', 'utf8').split('\n').filter((l) => l.startsWith('processor')).length;
}

/** CPU seconds (user + system) of a process, from /proc/<pid>/stat. */
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.substring(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return 0;
  }
}

/** CPU seconds of the JVM, of the embedded PostgreSQL (every process under the data directory's postmaster) and of this process. */
function cpuSample(javaPid, server) {
  if (!javaPid) return null;
  let postgres = null;
  if (server) {
    const procs = [];
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      try {
        const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        const ppid = stat.substring(stat.lastIndexOf(')') + 2).split(' ')[1];
        procs.push({ pid: d, ppid, cmd });
      } catch {
        // gone
      }
    }
    const postmaster = procs.find((p) => p.cmd.includes(server.dataDir) && p.cmd.includes('postgres'));
    if (postmaster) {
      postgres = cpuSeconds(postmaster.pid);
      for (const p of procs) if (p.ppid === postmaster.pid) postgres += cpuSeconds(p.pid);
    }
  }
  return { java: cpuSeconds(javaPid), postgres, self: cpuSeconds(process.pid) };
}

function printWarnings(server) {
  const lines = server.output.split('\n').filter((l) => / (WARN|ERROR) /.test(l));
  if (lines.length) console.log('server warnings/errors:\n' + lines.slice(0, 20).join('\n'));
}
