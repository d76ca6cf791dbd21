/**
 * `hush rotate` (the library's rotateSecret) on a `gcp` source, against the Secret Manager fake
 * through the real SDK (REST), runs the rotate-on-a-staging-source suite
 * (./conformance/staging-source.ts): the new value waits under the alias `hush-pending` while
 * plain reads keep the old one (`hush-current`), finish moves `hush-current` (`hush-previous` = the
 * old version), a second rotation during the first is refused, a rotation cut after its stage or
 * half-way through its finish is finished by --resume (revoking the OLD value, never the new),
 * and an unreachable Google fails the rotation without a value and without "no pending" ever read.
 */
import { afterAll, beforeAll } from "vitest";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateFernetKey } from "../../src/crypto/fernet.js";
import { createGcpSource } from "../../src/sources/gcp.js";
import { googleErrorBody } from "../fakes/gcp-common.js";
import { startGcpSecretManagerFake, type GcpSecretManagerFake } from "../fakes/gcp-secret-manager.js";
import { describeRotateOnSource, ROTATE_VALUES } from "./conformance/staging-source.js";

const P = "projects/hush-test";
const { OLD } = ROTATE_VALUES;
const UNAVAILABLE = googleErrorBody("UNAVAILABLE");

let fake: GcpSecretManagerFake;
let root: string;
let n = 0;
let savedCredentials: string | undefined;

beforeAll(async () => {
  fake = await startGcpSecretManagerFake({ projectId: "hush-test" });
  root = realpathSync(mkdtempSync(join(tmpdir(), "hush-gcp-rotate-")));
  const credentials = join(root, "service-account.json");
  writeFileSync(credentials, JSON.stringify(fake.account.json), { mode: 0o600 });
  savedCredentials = process.env.GOOGLE_APPLICATION_CREDENTIALS;
  process.env.GOOGLE_APPLICATION_CREDENTIALS = credentials;
});
afterAll(async () => {
  await fake.close();
  rmSync(root, { recursive: true, force: true });
  if (savedCredentials === undefined) delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
  else process.env.GOOGLE_APPLICATION_CREDENTIALS = savedCredentials;
});

describeRotateOnSource("gcp", {
  async create() {
    const dir = join(root, `p${++n}`);
    const prefix = `r${n}-`;
    const secretId = `${prefix}api_token`;
    mkdirSync(join(dir, ".secrets"), { recursive: true, mode: 0o700 });
    writeFileSync(join(dir, ".secrets", ".encryption.key"), generateFernetKey(), { mode: 0o600 });
    writeFileSync(join(dir, "hush.yaml"), `version: 1\nsources:\n  - type: gcp\n    options: { project: hush-test, endpoint: "${fake.url}", prefix: "${prefix}", timeout: 5s, rotation: true }\n`);
    fake.seed(P, secretId, OLD);
    // Another app reading the secret, no cache.
    const reader = createGcpSource({ project: "hush-test", endpoint: fake.url, prefix, cacheTtlMs: 0, rotation: true }, { root: dir, secretsDir: join(dir, ".secrets"), environment: "dev", onWarning: () => undefined });
    const secret = () => fake.secret(P, secretId)!;
    const state = () => ({ aliases: { ...secret().versionAliases }, values: secret().versions.map((v) => v.data.toString("utf8")) });
    return {
      dir,
      served: async () => (await reader.get("api_token"))?.value,
      backend: {
        state,
        staged: (value) => ({ aliases: { "hush-current": 1, "hush-pending": 2 }, values: [OLD, value] }),
        promoted: (value) => ({ aliases: { "hush-current": 2, "hush-previous": 1 }, values: [OLD, value] }),
        cut: (value) => ({ aliases: { "hush-current": 2, "hush-pending": 2, "hush-previous": 1 }, values: [OLD, value] }),
      },
      goDown: () => void (fake.server.alwaysFault = UNAVAILABLE),
      heal: () => void (fake.server.alwaysFault = undefined),
      cutFinish: {
        // The hush-current move is applied, its reply held while Google goes down.
        arm: () => void (fake.holdNextPatchReplyMs = 500),
        async cutWhenLanded() {
          const deadline = Date.now() + 10_000;
          while (secret().versionAliases["hush-current"] !== 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
          fake.server.alwaysFault = UNAVAILABLE;
        },
      },
      async cleanup() {
        fake.server.alwaysFault = undefined;
        fake.server.faults.length = 0;
        fake.holdNextPatchReplyMs = 0;
        await reader.dispose?.();
      },
    };
  },
});
