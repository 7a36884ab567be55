// spring-tour.jar (a Spring Boot app) with the official @microsoft/signalr client: Spring MVC and the
// hubs on the one port, the Spring quick start of docs/EMBEDDING.md (a @HubEndpoint hub, and a
// controller that sends through the injected HubContext), and graceful shutdown with the app.
// The feature tour's own suites (examples/src/test/node) run against the same jar too (pom.xml).
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import * as signalR from "@microsoft/signalr";
import { startTour, connect, waitFor, COMBINATIONS } from "../../../../examples/src/test/node/support.mjs";

describe("spring-tour.jar", () => {
  let app;
  before(async () => {
    app = await startTour();
  });
  after(async () => {
    await app?.stop();
  });

  it("logs one ready line with its URL and serves GET /hello (200) on the hubs' port", async () => {
    assert.match(app.output(), /Spring tour listening on http:\/\/localhost:\d+\/hubs\/tour/);
    const res = await fetch(`http://127.0.0.1:${app.port}/hello`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /Hello from Spring MVC/);
  });

  it("serves /hubs/tour on that same port", async () => {
    const c = connect(app.url, { transport: "WebSockets" });
    await c.start();
    try {
      assert.equal(await c.invoke("Add", 2, 3), 5);
    } finally {
      await c.stop();
    }
  });

  it("lets a browser on another origin call the hubs (CORS with credentials, as the feature tour)", async () => {
    const origin = "http://other.example:3000";
    const preflight = await fetch(`http://127.0.0.1:${app.port}/hubs/tour/negotiate?negotiateVersion=1`, {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "x-requested-with,x-signalr-user-agent",
      },
    });
    assert.equal(preflight.status, 200);
    assert.equal(preflight.headers.get("access-control-allow-origin"), origin);
    assert.equal(preflight.headers.get("access-control-allow-credentials"), "true");
    assert.match(preflight.headers.get("access-control-allow-methods"), /POST/);
    assert.match(preflight.headers.get("access-control-allow-headers").toLowerCase(), /x-signalr-user-agent/);

    const negotiate = await fetch(`http://127.0.0.1:${app.port}/hubs/tour/negotiate?negotiateVersion=1`, {
      method: "POST",
      headers: { origin },
    });
    assert.equal(negotiate.status, 200);
    assert.equal(negotiate.headers.get("access-control-allow-origin"), origin);
    assert.equal(negotiate.headers.get("access-control-allow-credentials"), "true");
  });

  for (const [transport, protocol] of COMBINATIONS) {
    it(`quick start: SendMessage and a controller's HubContext reach a client (${transport} + ${protocol})`, async () => {
      const chat = connect(`http://127.0.0.1:${app.port}/hubs/chat`, { transport, protocol });
      const received = [];
      chat.on("ReceiveMessage", (user, message) => received.push(`${user}: ${message}`));
      await chat.start();
      try {
        await chat.invoke("SendMessage", "ada", `hi over ${transport}`);
        await waitFor(() => received.includes(`ada: hi over ${transport}`), 10000, "the hub's broadcast");

        const res = await fetch(`http://127.0.0.1:${app.port}/notify`, {
          method: "POST",
          headers: { "content-type": "text/plain" },
          body: `from a controller, ${protocol}`,
        });
        assert.equal(res.status, 202);
        await waitFor(
          () => received.includes(`server: from a controller, ${protocol}`),
          10000,
          "the controller's HubContext send",
        );
      } finally {
        await chat.stop();
      }
    });
  }
});

describe("spring-tour.jar shutdown", () => {
  it("closes hub connections gracefully (Close, no transport error) and exits when stopped", async () => {
    const app = await startTour();
    const c = connect(app.url, { transport: "WebSockets" });
    let closedWith = "not closed";
    c.onclose((error) => (closedWith = error));
    await c.start();
    await app.stop();
    await waitFor(() => closedWith !== "not closed", 10000, "the client's onclose");
    assert.equal(closedWith, undefined, `closed with an error: ${closedWith}`);
    assert.equal(c.state, signalR.HubConnectionState.Disconnected);
  });
});
