/**
 * `hush rotate` (the library's rotateSecret) on an `aws` source, against the Secrets Manager fake
 * through the real SDK, runs the rotate-on-a-staging-source suite (./conformance/staging-source.ts):
 * the new value waits as AWSPENDING while AWSCURRENT is unchanged, finish moves AWSCURRENT
 * (AWSPREVIOUS = the old version), a second rotation during the first is refused, a rotation cut
 * after its stage or half-way through its finish (AWSCURRENT moved, AWSPENDING not yet dropped) is
 * finished by --resume (revoking the OLD value), and an unreachable AWS fails the rotation without
 * a value and without "no pending" ever read. The SIGKILL-then-resume case is in crash-resume.test.ts.
 */
import { afterAll, beforeAll } from "vitest";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateFernetKey } from "../../src/crypto/fernet.js";
import { startAwsSecretsManagerFake, type AwsSecretsManagerFake } from "../fakes/aws-secrets-manager.js";
import { describeRotateOnSource, ROTATE_VALUES } from "./conformance/staging-source.js";

const TEST_ENV: Record<string, string> = { AWS_ACCESS_KEY_ID: "AKIDTESTFAKE0000AWS1", AWS_SECRET_ACCESS_KEY: "test-secret-access-key", AWS_EC2_METADATA_DISABLED: "true", AWS_REGION: "us-east-1" };
const saved: Record<string, string | undefined> = {};
const { OLD } = ROTATE_VALUES;
const SECRET_ID = "app/dev/api_token";
const UNAVAILABLE = { status: 503, body: JSON.stringify({ __type: "ServiceUnavailable", message: "Service unavailable" }) };

let fake: AwsSecretsManagerFake;
let root: string;
let n = 0;

beforeAll(async () => {
  for (const [k, v] of Object.entries(TEST_ENV)) [saved[k], process.env[k]] = [process.env[k], v];
  fake = await startAwsSecretsManagerFake();
  root = realpathSync(mkdtempSync(join(tmpdir(), "hush-aws-rotate-")));
});
afterAll(async () => {
  await fake.close();
  rmSync(root, { recursive: true, force: true });
  for (const k of Object.keys(TEST_ENV)) if (saved[k] === undefined) delete process.env[k];
  else process.env[k] = saved[k];
});

const versionsOf = () => fake.secrets.get(SECRET_ID)!.versions;

describeRotateOnSource("aws", {
  async create() {
    const dir = join(root, `p${++n}`);
    mkdirSync(join(dir, ".secrets"), { recursive: true, mode: 0o700 });
    writeFileSync(join(dir, ".secrets", ".encryption.key"), generateFernetKey(), { mode: 0o600 });
    writeFileSync(join(dir, "hush.yaml"), `version: 1\nsources:\n  - type: aws\n    options: { endpoint: "${fake.url}", path: "app/{env}", maxAttempts: 2 }\n`);
    fake.secrets.delete(SECRET_ID);
    fake.put(SECRET_ID, OLD);
    return {
      dir,
      served: async () => versionsOf().find((v) => v.stages.includes("AWSCURRENT"))?.string, // what any AWSCURRENT reader gets
      backend: {
        state: () => versionsOf().map((v) => [[...v.stages].sort(), v.string]),
        staged: (value) => [
          [["AWSCURRENT"], OLD],
          [["AWSPENDING"], value],
        ],
        promoted: (value) => [
          [["AWSPREVIOUS"], OLD],
          [["AWSCURRENT"], value],
        ],
        cut: (value) => [
          [["AWSPREVIOUS"], OLD],
          [["AWSCURRENT", "AWSPENDING"], value],
        ],
      },
      goDown: () => void (fake.server.alwaysFault = UNAVAILABLE),
      heal: () => void (fake.server.alwaysFault = undefined),
      cutFinish: {
        // promote's listing, then its AWSCURRENT move carried out with the reply held back while AWS goes down.
        arm: () => void fake.server.delayReplies.push(0, 300),
        async cutWhenLanded() {
          const before = fake.server.calls("UpdateSecretVersionStage");
          const deadline = Date.now() + 10_000;
          while (fake.server.calls("UpdateSecretVersionStage") === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
          fake.server.alwaysFault = UNAVAILABLE;
        },
      },
      async cleanup() {
        fake.server.alwaysFault = undefined;
        fake.server.faults.length = 0;
        fake.server.delayReplies.length = 0;
      },
    };
  },
});
