// The Netty quick start of docs/EMBEDDING.md (org.jvmchat.examples.quickstart.QuickStart, from the
// feature-tour jar) with the official client, as the document's JavaScript snippet uses it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as signalR from "@microsoft/signalr";
import { MessagePackHubProtocol } from "@microsoft/signalr-protocol-msgpack";
import { JAR } from "./support.mjs";

function startQuickStart() {
  return new Promise((resolve, reject) => {
    const proc = spawn("java", ["-Xmx256m", "-cp", JAR, "org.jvmchat.examples.quickstart.QuickStart"], {
      env: { ...process.env, PORT: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error("the quick start did not start within 30 s:\n" + out));
    }, 30000);
    proc.stderr.on("data", (d) => (out += d));
    proc.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/localhost:\d+\/hubs\/chat)/);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1].replace("localhost", "127.0.0.1"),
          stop: () =>
            new Promise((res) => {
              if (proc.exitCode !== null) return res();
              proc.once("exit", () => res());
              proc.kill("SIGTERM");
              setTimeout(() => proc.kill("SIGKILL"), 10000).unref();
            }),
        });
      }
    });
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the quick start exited with ${code}:\n${out}`));
    });
  });
}

for (const [transport, protocol] of [
  ["WebSockets", "json"],
  ["ServerSentEvents", "json"],
  ["LongPolling", "messagepack"],
]) {
  test(`quick start: Send reaches every client as ReceiveMessage (${transport}, ${protocol})`, async () => {
    const server = await startQuickStart();
    const connections = [];
    try {
      const open = async () => {
        const b = new signalR.HubConnectionBuilder()
          .withUrl(server.url, { transport: signalR.HttpTransportType[transport] })
          .configureLogging(signalR.LogLevel.None);
        if (protocol === "messagepack") b.withHubProtocol(new MessagePackHubProtocol());
        const connection = b.build();
        const received = [];
        connection.on("ReceiveMessage", (user, message) => received.push(`${user}: ${message}`));
        await connection.start();
        connections.push(connection);
        return received;
      };
      const [first, second] = [await open(), await open()];
      await connections[0].invoke("Send", "alice", "hello");
      const deadline = Date.now() + 10000;
      while ((first.length < 1 || second.length < 1) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.deepEqual(first, ["alice: hello"]);
      assert.deepEqual(second, ["alice: hello"]);
    } finally {
      await Promise.all(connections.map((c) => c.stop()));
      await server.stop();
    }
  });
}
