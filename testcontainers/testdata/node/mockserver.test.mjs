// The emulator's image in a Node.js test (node --test), with testcontainers:
// ready when GET /healthz answers 200, as in the Go module and the Java and
// Python recipes of docs/testing.md.
import { test } from "node:test";
import assert from "node:assert/strict";
import { GenericContainer, Network, Wait } from "testcontainers";

const image = process.env.MOCKSERVER_IMAGE ?? "workspace-mockserver:latest";

test("the emulator answers, and an injected error fails one call", async () => {
  const network = await new Network().start(); // a bridge of its own: works where Docker has no default one
  const mock = await new GenericContainer(image)
    .withNetwork(network)
    .withEnvironment({ MOCK_SCENARIO: "default", MOCK_ADMIN_TOKEN: "s3cret" })
    .withExposedPorts(8080)
    .withWaitStrategy(Wait.forHttp("/healthz", 8080))
    .start();
  try {
    const url = `http://${mock.getHost()}:${mock.getMappedPort(8080)}`;
    const api = `${url}/v2/0bec5db98280d2d02fd6c00c2de791ce/connections/status`;
    const first = await fetch(api);
    assert.equal(first.status, 200);
    assert.match(await first.text(), /^\{"statics":\[\{"static_name":/);

    const admin = { Authorization: "Bearer s3cret", "Content-Type": "application/json" };
    const put = await fetch(`${url}/_mock/error`, { method: "PUT", headers: admin, body: JSON.stringify({ status: 500, count: 1 }) });
    assert.equal(put.status, 200);
    assert.equal((await fetch(api)).status, 500);
    assert.equal((await fetch(api)).status, 200);
  } finally {
    await mock.stop();
    await network.stop();
  }
});
