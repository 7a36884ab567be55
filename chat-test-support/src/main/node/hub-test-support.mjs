// What the Node interop tests of several modules (examples, chat-hub-servlet) share: start a Java
// server that logs "listening on <url>", connect the official client to it, wait for a condition.
// The one copy, imported by relative path
// (../../../../chat-test-support/src/main/node/hub-test-support.mjs from src/test/node).
import { spawn } from "node:child_process";
import * as signalR from "@microsoft/signalr";
import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";

/**
 * Starts `java <args>` and resolves once its standard output matches `listening` (a RegExp):
 * `{ match, pid, output(), stop() }`, where `output()` is everything it has written so far (both
 * streams) and `stop()` sends SIGTERM (SIGKILL after 10 s) and resolves when it has exited.
 * Rejects when it exits first or does not start within `timeoutMs`; `name` is for those errors.
 */
export function startJava(args, { listening, env = process.env, name = "java", timeoutMs = 30000 }) {
  return new Promise((resolve, reject) => {
    const proc = spawn("java", args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error(`${name} did not start within ${timeoutMs / 1000} s:\n${out}`));
    }, timeoutMs);
    const onData = (d) => {
      out += d.toString();
      const match = out.match(listening);
      if (match) {
        clearTimeout(timer);
        proc.stdout.off("data", onData);
        proc.stdout.on("data", (d) => (out += d.toString())); // keep the log for output()
        resolve({
          match,
          pid: proc.pid,
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
      reject(new Error(`${name} exited with ${code}:\n${out}`));
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

/** A connection of the official client (not started), silent, with the given transport and protocol. */
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
