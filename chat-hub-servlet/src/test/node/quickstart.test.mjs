// docs/EMBEDDING.md's Servlet container quick start: its listener and hub (the test sources'
// quickstart package) deployed on Tomcat, and its JavaScript snippet, read from the document and
// run unchanged but for the URL, over each transport.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { startContainer } from "./support.mjs";

const MODULE = new URL("../../../", import.meta.url).pathname;

/** The JavaScript block of the document's section 3. */
function snippet() {
  const doc = readFileSync(`${MODULE}../docs/EMBEDDING.md`, "utf8");
  const section = doc.slice(doc.indexOf("## 3. A Servlet container"));
  const m = section.match(/```js\n([\s\S]*?)```/);
  assert.ok(m, "docs/EMBEDDING.md section 3 has a JavaScript snippet");
  return m[1];
}

/** Runs the snippet against `url` with `transport`; resolves with its output once it printed. */
function runSnippet(url, transport) {
  let code = snippet().replace('"http://localhost:8080/hubs/chat"', JSON.stringify(url));
  assert.notEqual(code, snippet(), "the snippet's URL is http://localhost:8080/hubs/chat");
  if (transport) {
    code = code.replace(
      `.withUrl(${JSON.stringify(url)})`,
      `.withUrl(${JSON.stringify(url)}, { transport: signalR.HttpTransportType.${transport} })`,
    );
  }
  mkdirSync(`${MODULE}target`, { recursive: true });
  const file = `${MODULE}target/quickstart-snippet-${transport ?? "default"}.mjs`;
  writeFileSync(file, code);
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [file], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error(`the snippet printed nothing within 20 s:\n${out}`));
    }, 20000);
    const done = () => {
      clearTimeout(timer);
      proc.kill("SIGTERM");
      resolve(out);
    };
    proc.stdout.on("data", (d) => {
      out += d;
      // Done once a whole line other than the client's own log ("[time] Information: ...").
      const lines = out.slice(0, out.lastIndexOf("\n")).split("\n");
      if (lines.some((l) => l.length > 0 && !l.startsWith("["))) done();
    });
    proc.stderr.on("data", (d) => (out += d));
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the snippet exited with ${code}:\n${out}`)); // no-op once resolved
    });
  });
}

describe("the Servlet container quick start", () => {
  let server;
  before(async () => {
    server = await startContainer("quickstart");
  });
  after(async () => {
    await server?.stop();
  });

  for (const transport of [undefined, "WebSockets", "ServerSentEvents", "LongPolling"]) {
    it(`the document's client snippet (${transport ?? "as written"}) gets its message back`, async () => {
      const out = await runSnippet(server.url, transport);
      // The client's own log lines ("[time] Information: ...") aside, the snippet printed one line.
      const printed = out.split("\n").filter((l) => l.length > 0 && !l.startsWith("["));
      assert.deepEqual(printed, ["alice: hello"]);
    });
  }
});
