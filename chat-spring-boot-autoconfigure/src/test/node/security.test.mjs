// Spring Security with the official @microsoft/signalr client: SpringBootHubsEndToEndTest's
// application (Spring MVC, Spring Security with a JWT resource server and HTTP Basic), started by
// the launcher SecuredSpringApp twice in one JVM: with the hubs on the application's port (the
// Servlet host behind Spring Security's filters) and on their own Netty port (the JwtDecoder bean
// checks the tokens).
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { startJava, connect as connectWith, waitFor } from "../../../../chat-test-support/src/main/node/hub-test-support.mjs";

const MODULE = new URL("../../../", import.meta.url).pathname;
const CLASSPATH_FILE = process.env.SPRING_TEST_CLASSPATH_FILE ?? `${MODULE}target/test-classpath.txt`;
// The application's JwtDecoder key (SpringBootHubsEndToEndTest.SECRET).
const SECRET = "a-test-secret-of-at-least-32-bytes!!";
const TRANSPORTS = ["WebSockets", "ServerSentEvents", "LongPolling"];

/** An HS256 JWT: `sub`, `name`, expiring in `expiresIn` seconds, signed with `secret`. */
function jwt(sub, name, { secret = SECRET, expiresIn = 300 } = {}) {
  const part = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const unsigned = `${part({ alg: "HS256" })}.${part({ sub, name, iat: now, exp: now + expiresIn })}`;
  return `${unsigned}.${createHmac("sha256", secret).update(unsigned).digest("base64url")}`;
}

/**
 * Starts the launcher; resolves once both applications listen:
 * `{ servlet: { hubs, app }, ownPort: { hubs, app }, stop() }`.
 */
async function startApps() {
  const deps = readFileSync(CLASSPATH_FILE, "utf8").trim();
  const cp = [`${MODULE}target/test-classes`, `${MODULE}target/classes`, deps].join(":");
  const { match, stop } = await startJava(
    ["-Xmx384m", "-XX:TieredStopAtLevel=1", "-cp", cp, "org.jvmchat.spring.boot.autoconfigure.SecuredSpringApp"],
    {
      listening: /listening servlet hubs=(\S+) app=(\S+)[\s\S]*listening own-port hubs=(\S+) app=(\S+)/,
      name: "SecuredSpringApp",
      timeoutMs: 60000,
    },
  );
  return { servlet: { hubs: match[1], app: match[2] }, ownPort: { hubs: match[3], app: match[4] }, stop };
}

const connect = (url, transport, options) => connectWith(url, { transport, options });

const negotiate = (hub, headers = {}) => fetch(`${hub}/negotiate?negotiateVersion=1`, { method: "POST", headers });

let apps;
before(async () => {
  apps = await startApps();
});
after(async () => {
  await apps?.stop();
});

for (const [mode, where] of [
  ["servlet", "on the application's port, behind Spring Security"],
  ["ownPort", "on jvmchat.server.port, tokens checked by the JwtDecoder"],
]) {
  describe(`hubs ${where}`, () => {
    for (const transport of TRANSPORTS) {
      it(`${transport}: the JWT from accessTokenFactory is the hub's user; the controller's HubContext reaches that user`, async () => {
        const { hubs, app } = apps[mode];
        const token = jwt("alice", "Alice");
        const alice = connect(`${hubs}/hubs/echo`, transport, { accessTokenFactory: () => token });
        const notified = [];
        alice.on("Notified", (m) => notified.push(m));
        await alice.start();
        try {
          assert.equal(await alice.invoke("Whoami"), "alice|Alice");
          const post = (path, body) => fetch(`${app}${path}`, { method: "POST", headers: { "content-type": "text/plain" }, body });
          assert.equal((await post("/notify/user/nobody", "to no one")).status, 202);
          assert.equal((await post("/notify/user/alice", `to alice over ${transport}`)).status, 202);
          await waitFor(() => notified.length > 0, 10000, "the controller's message");
          // A message after it, to the same connection, proves nothing else was on its way.
          assert.equal(await alice.invoke("Echo", "after"), "after");
          assert.deepEqual(notified, [`to alice over ${transport}`]);
        } finally {
          await alice.stop();
        }
      });
    }

    it("no token: 401 at negotiate, and the client's start fails with 401", async () => {
      const { hubs } = apps[mode];
      // /hubs/other requires a user everywhere; Spring Security requires one for all of /hubs/**.
      const hub = `${hubs}/hubs/other`;
      assert.equal((await negotiate(hub)).status, 401);
      await assert.rejects(connect(hub, "WebSockets", {}).start(), /401/);
      if (mode === "servlet") assert.equal((await negotiate(`${hubs}/hubs/echo`)).status, 401);
    });

    it("an invalid token (another key, or expired): 401 at negotiate, and the client's start fails with 401", async () => {
      const { hubs } = apps[mode];
      for (const token of [
        jwt("mallory", "Mallory", { secret: "another-secret-of-at-least-32-bytes!" }),
        jwt("alice", "Alice", { expiresIn: -120 }),
        "not.a.jwt",
      ]) {
        for (const hub of [`${hubs}/hubs/echo`, `${hubs}/hubs/other`]) {
          assert.equal((await negotiate(hub, { Authorization: `Bearer ${token}` })).status, 401, `${hub} ${token}`);
          await assert.rejects(connect(hub, "LongPolling", { accessTokenFactory: () => token }).start(), /401/);
        }
      }
      // The same hub takes a valid token.
      const ok = await negotiate(`${hubs}/hubs/other`, { Authorization: `Bearer ${jwt("carol", "Carol")}` });
      assert.equal(ok.status, 200);
    });
  });
}

describe("on the application's port, the request's Spring Security Authentication is the hub's user", () => {
  for (const transport of TRANSPORTS) {
    it(`${transport}: HTTP Basic (bob) is the hub's user`, async () => {
      const basic = `Basic ${Buffer.from("bob:secret").toString("base64")}`;
      const bob = connect(`${apps.servlet.hubs}/hubs/echo`, transport, { headers: { Authorization: basic } });
      await bob.start();
      try {
        assert.equal(await bob.invoke("Whoami"), "bob|bob");
      } finally {
        await bob.stop();
      }
    });
  }

  it("a wrong password: 401 at negotiate", async () => {
    const basic = `Basic ${Buffer.from("bob:wrong").toString("base64")}`;
    assert.equal((await negotiate(`${apps.servlet.hubs}/hubs/echo`, { Authorization: basic })).status, 401);
  });
});
