/**
 * HTTPS upstreams: the certificate is verified; `caCert` trusts a CA for its route alone (a route
 * without it refuses the same self-signed upstream, 502), never through NODE_EXTRA_CA_CERTS.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startGateway, type Gateway } from "../../src/index.js";
import { startFakeServer, type FakeServer } from "../fakes/http-fake.js";
import { makeSelfSignedCert } from "../helpers/tls-cert.js";
import { rawRequest, tempProject, testKey } from "./helpers.js";

const KEY = testKey();
let upstream: FakeServer;
let project: { dir: string; cleanup(): void };
let gateway: Gateway;

beforeAll(async () => {
  const tls = makeSelfSignedCert();
  upstream = await startFakeServer((req) => ({ status: 200, json: { path: req.path } }), { tls });
  project = tempProject(`version: 1
audit: off
gateway:
  routes:
    - name: trusted
      upstream: ${upstream.url}
      secret: api_key
      keyVariable: TRUSTED_KEY
      caCert: ca.pem
    - name: untrusted
      upstream: ${upstream.url}
      secret: api_key
      keyVariable: UNTRUSTED_KEY
`);
  writeFileSync(join(project.dir, "ca.pem"), tls.cert);
  gateway = await startGateway({ cwd: project.dir, env: { API_KEY: KEY }, onWarning: () => undefined });
});

afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
  project?.cleanup();
});

describe("HTTPS upstreams", () => {
  it("trusts the route's caCert, and only for that route", async () => {
    const env = gateway.childEnvironment();
    const ok = await rawRequest(gateway.url!, { path: "/trusted/v1/x", headers: { authorization: `Bearer ${env.TRUSTED_KEY}` } });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ path: "/v1/x" });
    expect(upstream.requests.at(-1)!.headers.authorization).toBe(`Bearer ${KEY}`);
    const count = upstream.requests.length;
    const refused = await rawRequest(gateway.url!, { path: "/untrusted/v1/x", headers: { authorization: `Bearer ${env.UNTRUSTED_KEY}` } });
    expect(refused.status).toBe(502);
    expect(JSON.parse(refused.body).error.code).toBe("upstream-failed");
    expect(upstream.requests.length).toBe(count);
    expect(JSON.stringify(refused)).not.toContain(KEY);
  });
});
