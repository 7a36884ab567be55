// Test support: start the feature tour jar on a free port and connect to it (the TCP proxy that cuts
// connections is the shared one in chat-test-support/src/main/node/tcp-proxy.mjs).
import { spawn, execFile } from "node:child_process";
import { promisify } from "node:util";
import * as signalR from "@microsoft/signalr";
import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";

export const JAR = process.env.TOUR_JAR ?? new URL("../../../target/feature-tour.jar", import.meta.url).pathname;

/** Starts `java -jar feature-tour.jar` with PORT=0 and resolves once it logs its URL. */
export function startTour(env = {}) {
  return new Promise((resolve, reject) => {
    const proc = spawn("java", ["-Xmx256m", "-jar", JAR], {
      env: { ...process.env, PORT: "0", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error("feature tour did not start within 30 s:\n" + out));
    }, 30000);
    const onData = (d) => {
      out += d.toString();
      const m = out.match(/listening on (http:\/\/localhost:(\d+))\/hubs\/tour/);
      if (m) {
        clearTimeout(timer);
        proc.stdout.off("data", onData);
        proc.stdout.resume();
        proc.stderr.resume();
        const port = Number(m[2]);
        resolve({
          port,
          pid: proc.pid,
          url: `http://127.0.0.1:${port}/hubs/tour`,
          output: () => out,
          stop: () =>
            new Promise((res) => {
              if (proc.exitCode !== null) return res();
              proc.once("exit", () => res());
              proc.kill("SIGTERM");
              setTimeout(() => proc.kill("SIGKILL"), 10000).unref();
            }),
        });
      }
    };
    proc.stdout.on("data", onData);
    proc.stderr.on("data", (d) => (out += d.toString()));
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`feature tour exited with ${code}:\n${out}`));
    });
  });
}

export const TRANSPORTS = {
  WebSockets: signalR.HttpTransportType.WebSockets,
  ServerSentEvents: signalR.HttpTransportType.ServerSentEvents,
  LongPolling: signalR.HttpTransportType.LongPolling,
};

/** The transport × protocol combinations the official client supports. */
export const COMBINATIONS = [
  ["WebSockets", "json"],
  ["WebSockets", "messagepack"],
  ["ServerSentEvents", "json"],
  ["LongPolling", "json"],
  ["LongPolling", "messagepack"],
];

export function connect(url, { transport, protocol = "json", stateful = false, options = {}, configure } = {}) {
  const b = new signalR.HubConnectionBuilder()
    .withUrl(url, { ...(transport ? { transport: TRANSPORTS[transport] } : {}), ...options })
    .configureLogging(signalR.LogLevel.None);
  if (protocol === "messagepack") b.withHubProtocol(new MessagePackHubProtocol());
  if (stateful) b.withStatefulReconnect();
  if (configure) configure(b);
  return b.build();
}

/** Resolves when `predicate()` is true, polling every 20 ms; rejects after `timeoutMs`. */
export async function waitFor(predicate, timeoutMs = 10000, what = "condition") {
  const start = Date.now();
  while (!(await predicate())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * The live heap of a JVM in KiB: a full GC (`jcmd <pid> GC.run`), then the G1 heap's "used" figure
 * from `jcmd <pid> GC.heap_info` — what stays reachable, measured from outside the process.
 */
export async function liveHeapKb(pid) {
  const jcmd = promisify(execFile);
  await jcmd("jcmd", [String(pid), "GC.run"]);
  const { stdout } = await jcmd("jcmd", [String(pid), "GC.heap_info"]);
  const m = /heap\s+total \d+K, used (\d+)K/.exec(stdout);
  if (!m) throw new Error("no heap figure in jcmd's answer:\n" + stdout);
  return Number(m[1]);
}
