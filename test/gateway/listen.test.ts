/** Where the gateway listens: a Unix socket (0600, private folder), and slow headers cut off. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { request } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startGateway } from "../../src/index.js";
import { startFakeUpstream, type FakeUpstream } from "../fakes/gateway-upstream.js";
import { tempProject, testKey } from "./helpers.js";

const KEY = testKey();
let upstream: FakeUpstream;
let project: { dir: string; cleanup(): void };
const yaml = (url: string) => `version: 1
audit: off
gateway:
  routes:
    - name: api
      upstream: ${url}
      secret: api_key
`;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  project = tempProject(yaml(upstream.url));
});
afterAll(async () => {
  await upstream?.close();
  project?.cleanup();
});

describe("the gateway's listener", () => {
  it("serves a Unix socket, 0600 in a 0700 folder, with no base URL for children", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "hush-gw-sock-")), "run");
    const socket = join(dir, "gw.sock");
    const gateway = await startGateway({ cwd: project.dir, env: { API_KEY: KEY }, listen: { socket }, onWarning: () => undefined });
    try {
      expect(gateway.url).toBe(`unix:${socket}`);
      expect(statSync(socket).mode & 0o777).toBe(0o600);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      const env = gateway.childEnvironment();
      expect(env.API_BASE_URL).toBeUndefined();
      const status = await new Promise<number>((resolve, reject) => {
        const req = request({ socketPath: socket, path: "/api/v1/x", headers: { host: "localhost", authorization: `Bearer ${env.API_KEY}` } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on("error", reject);
        req.end();
      });
      expect(status).toBe(200);
      expect(upstream.requests.at(-1)!.headers.authorization).toBe(`Bearer ${KEY}`);
    } finally {
      await gateway.close();
      rmSync(join(dir, ".."), { recursive: true, force: true });
    }
  });

  it("cuts a client that sends its headers too slowly (slowloris)", async () => {
    const gateway = await startGateway({ cwd: project.dir, env: { API_KEY: KEY }, headersTimeoutMs: 200, onWarning: () => undefined });
    try {
      const port = Number(new URL(gateway.url!).port);
      const reply = await new Promise<string>((resolve) => {
        const s = connect(port, "127.0.0.1", () => s.write("GET /api/v1/x HTTP/1.1\r\nhost: 127.0.0.1\r\n"));
        let out = "";
        const drip = setInterval(() => s.writable && s.write("x-slow: 1\r\n"), 50);
        s.on("data", (c) => (out += c.toString()));
        s.on("close", () => {
          clearInterval(drip);
          resolve(out);
        });
      });
      expect(reply).toMatch(/^HTTP\/1\.1 408 /);
      expect(reply).not.toContain(KEY);
    } finally {
      await gateway.close();
    }
  });
});
