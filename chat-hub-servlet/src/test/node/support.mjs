// Test support: start the test containers (TestContainers' main: embedded Tomcat, Jetty or Undertow serving
// the test hubs through ServletHubHost) on a free port, and connect the official client to them.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import * as signalR from "@microsoft/signalr";
import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";

const MODULE = new URL("../../../", import.meta.url).pathname;
const CLASSPATH_FILE = process.env.SERVLET_TEST_CLASSPATH_FILE ?? `${MODULE}target/test-classpath.txt`;

/**
 * The test class path for one container: Tomcat bundles the Servlet 6.1 / WebSocket 2.2 API
 * classes, Jetty 12 ee10 and Undertow 2.3 use the 6.0 / 2.1 API jars, so each runs without the
 * others' jars.
 */
const DROP = {
  tomcat: /org\/eclipse\/jetty|io\/undertow|org\/jboss\/xnio|jakarta\.servlet-api|jakarta\.websocket-api|jakarta\.websocket-client-api/,
  jetty: /org\/apache\/tomcat|io\/undertow|org\/jboss\/xnio/,
  undertow: /org\/apache\/tomcat|org\/eclipse\/jetty/,
};

function classPath(kind) {
  const drop = DROP[kind];
  const deps = readFileSync(CLASSPATH_FILE, "utf8").trim().split(":").filter((p) => p && !drop.test(p));
  return [`${MODULE}target/test-classes`, `${MODULE}target/classes`, ...deps].join(":");
}

/**
 * Starts `kind` ("tomcat", "jetty", "undertow" or "quickstart") and resolves once it logs its URL:
 * `{ url, base, port, stop() }`; `base` is the application's root (Jetty's context is /app,
 * Undertow's /site).
 */
export function startContainer(kind) {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      "java",
      ["-Xmx256m", "-cp", classPath(kind === "quickstart" ? "tomcat" : kind), "org.jvmchat.hub.servlet.TestContainers", kind],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error(`${kind} did not start within 60 s:\n${out}`));
    }, 60000);
    const onData = (d) => {
      out += d.toString();
      const m = out.match(/listening on (http:\/\/[^:]+:(\d+)(\/[^ ]*)?\/hubs\/\w+)/);
      if (m) {
        clearTimeout(timer);
        proc.stdout.off("data", onData);
        proc.stdout.on("data", (d) => (out += d.toString())); // keep the log for output()
        resolve({
          url: m[1],
          port: Number(m[2]),
          base: m[1].replace(/\/hubs\/\w+$/, ""),
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
      reject(new Error(`${kind} exited with ${code}:\n${out}`));
    });
  });
}

export const CONTAINERS = (process.env.SERVLET_CONTAINERS ?? "tomcat,jetty,undertow").split(",");

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
    .withUrl(url, { ...(transport ? { transport: signalR.HttpTransportType[transport] } : {}), ...options })
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

/** Collects a server-to-client stream. */
export function collect(stream) {
  return new Promise((resolve, reject) => {
    const items = [];
    stream.subscribe({ next: (i) => items.push(i), complete: () => resolve(items), error: reject });
  });
}
