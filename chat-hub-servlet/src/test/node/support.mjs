// Test support: start the test containers (TestContainers' main: embedded Tomcat or Jetty serving
// the test hubs through ServletHubHost) on a free port (the helpers to connect and wait are the
// shared ones in chat-test-support/src/main/node).
import { readFileSync } from "node:fs";
import { startJava } from "../../../../chat-test-support/src/main/node/hub-test-support.mjs";

export { COMBINATIONS, connect, waitFor } from "../../../../chat-test-support/src/main/node/hub-test-support.mjs";

const MODULE = new URL("../../../", import.meta.url).pathname;
const CLASSPATH_FILE = process.env.SERVLET_TEST_CLASSPATH_FILE ?? `${MODULE}target/test-classpath.txt`;

/**
 * The test class path for one container: Tomcat bundles the Servlet 6.1 / WebSocket 2.2 API
 * classes, Jetty 12 ee10 uses the 6.0 / 2.1 API jars, so each runs without the other's jars.
 */
function classPath(kind) {
  const drop =
    kind === "tomcat"
      ? /org\/eclipse\/jetty|jakarta\.servlet-api|jakarta\.websocket-api|jakarta\.websocket-client-api/
      : /org\/apache\/tomcat/;
  const deps = readFileSync(CLASSPATH_FILE, "utf8").trim().split(":").filter((p) => p && !drop.test(p));
  return [`${MODULE}target/test-classes`, `${MODULE}target/classes`, ...deps].join(":");
}

/**
 * Starts `kind` ("tomcat", "jetty" or "quickstart") and resolves once it logs its URL:
 * `{ url, base, port, output(), stop() }`; `base` is the application's root (Jetty's context is /app).
 */
export async function startContainer(kind) {
  const { match, ...server } = await startJava(
    ["-Xmx256m", "-cp", classPath(kind === "jetty" ? "jetty" : "tomcat"), "org.jvmchat.hub.servlet.TestContainers", kind],
    { listening: /listening on (http:\/\/[^:]+:(\d+)(\/[^ ]*)?\/hubs\/\w+)/, name: kind, timeoutMs: 60000 },
  );
  return { ...server, url: match[1], port: Number(match[2]), base: match[1].replace(/\/hubs\/\w+$/, "") };
}

export const CONTAINERS = ["tomcat", "jetty"];

/** Collects a server-to-client stream. */
export function collect(stream) {
  return new Promise((resolve, reject) => {
    const items = [];
    stream.subscribe({ next: (i) => items.push(i), complete: () => resolve(items), error: reject });
  });
}
