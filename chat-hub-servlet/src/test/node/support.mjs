// Test support: start the test containers (TestContainers' main: embedded Tomcat, Jetty or Undertow serving
// the test hubs through ServletHubHost) on a free port (the helpers to connect and wait are the
// shared ones in chat-test-support/src/main/node).
import { readFileSync } from "node:fs";
import { startJava } from "../../../../chat-test-support/src/main/node/hub-test-support.mjs";

export { COMBINATIONS, connect, waitFor } from "../../../../chat-test-support/src/main/node/hub-test-support.mjs";

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
 * `{ url, base, port, output(), stop() }`; `base` is the application's root (Jetty's context is
 * /app, Undertow's /site).
 */
export async function startContainer(kind) {
  const { match, ...server } = await startJava(
    ["-Xmx256m", "-cp", classPath(kind === "quickstart" ? "tomcat" : kind), "org.jvmchat.hub.servlet.TestContainers", kind],
    { listening: /listening on (http:\/\/[^:]+:(\d+)(\/[^ ]*)?\/hubs\/\w+)/, name: kind, timeoutMs: 60000 },
  );
  return { ...server, url: match[1], port: Number(match[2]), base: match[1].replace(/\/hubs\/\w+$/, "") };
}

export const CONTAINERS = (process.env.SERVLET_CONTAINERS ?? "tomcat,jetty,undertow").split(",");

/** Collects a server-to-client stream. */
export function collect(stream) {
  return new Promise((resolve, reject) => {
    const items = [];
    stream.subscribe({ next: (i) => items.push(i), complete: () => resolve(items), error: reject });
  });
}

/**
 * fetch, sent again once when it failed before any response on a kept-alive socket the container had
 * closed meanwhile (a container may close a connection after an error answer, e.g. a 413 sent
 * before the body was read; undici reuses such a socket and, for a POST, does not retry itself).
 * Any other failure, and any answer, is the caller's.
 */
export async function request(url, init) {
  try {
    return await fetch(url, init);
  } catch (e) {
    const code = e?.cause?.code;
    if (code === "UND_ERR_SOCKET" || code === "ECONNRESET" || code === "UND_ERR_CLOSED" || code === "EPIPE") {
      return await fetch(url, init);
    }
    throw e;
  }
}
