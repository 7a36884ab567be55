// Test support: start the feature tour jar on a free port (the helpers to connect and wait, and the
// TCP proxy that cuts connections, are the shared ones in chat-test-support/src/main/node).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { startJava } from "../../../../chat-test-support/src/main/node/hub-test-support.mjs";

export { TRANSPORTS, COMBINATIONS, connect, waitFor } from "../../../../chat-test-support/src/main/node/hub-test-support.mjs";

export const JAR = process.env.TOUR_JAR ?? new URL("../../../target/feature-tour.jar", import.meta.url).pathname;

/** Starts `java -jar feature-tour.jar` with PORT=0 and resolves once it logs its URL. */
export async function startTour(env = {}) {
  const { match, ...server } = await startJava(["-Xmx256m", "-jar", JAR], {
    env: { ...process.env, PORT: "0", ...env },
    listening: /listening on (http:\/\/localhost:(\d+))\/hubs\/tour/,
    name: "feature tour",
  });
  const port = Number(match[2]);
  return { ...server, port, url: `http://127.0.0.1:${port}/hubs/tour` };
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
