/**
 * The built CLI with `keys: { dev: { provider: aws-kms } }` in hush.yaml, against the KMS fake:
 * `hush set` and `hush run` open the local store through one Decrypt per process; only a
 * ciphertext is in the secrets folder; a denying KMS stops `hush run` with ACCESS_DENIED (exit 8)
 * and never a fresh key. dist/cli.js runs in place so `@aws-sdk/client-kms` resolves.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO, runHushBinary } from "../helpers/run-binary.js";
import { createAwsKmsKeyProvider } from "../../src/keys/aws-kms.js";
import { generateFernetKey } from "../../src/crypto/fernet.js";
import { startAwsKmsFake, type AwsKmsFake } from "../fakes/aws-kms.js";

const CLI = join(REPO, "dist/cli.js");
let fake: AwsKmsFake;
let dir: string;
let env: NodeJS.ProcessEnv;
const CREDS = { AWS_ACCESS_KEY_ID: "AKIDTESTFAKE0000KCL1", AWS_SECRET_ACCESS_KEY: "test-secret", AWS_EC2_METADATA_DISABLED: "true", AWS_REGION: "us-east-1" };

beforeAll(async () => {
  fake = await startAwsKmsFake();
  const keyArn = fake.createKey("hush-dev");
  dir = mkdtempSync(join(tmpdir(), "hush-aws-kms-cli-"));
  writeFileSync(join(dir, "hush.yaml"), `version: 1\naudit: off\nkeys:\n  dev: { provider: aws-kms, keyId: alias/hush-dev, endpoint: "${fake.url}" }\n`);
  env = { PATH: process.env.PATH, HOME: dir, AWS_CONFIG_FILE: "/nonexistent", AWS_SHARED_CREDENTIALS_FILE: "/nonexistent", ...CREDS };
  const saved = { ...process.env };
  Object.assign(process.env, CREDS);
  try {
    await createAwsKmsKeyProvider({ keyId: keyArn, endpoint: fake.url }, { root: dir, secretsDir: join(dir, ".secrets"), environment: "dev", onWarning: () => undefined }).save(generateFernetKey());
  } finally {
    for (const k of Object.keys(CREDS)) if (saved[k] === undefined) delete process.env[k];
  }
});
afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("hush with an aws-kms key (built CLI)", () => {
  it("set and run open the store with one Decrypt per process; only a ciphertext sits in .secrets/", async () => {
    let before = fake.server.calls("Decrypt");
    const set = await runHushBinary(CLI, ["set", "db_password"], { cwd: dir, env, input: "pw-CANARY-kms-0123456789" });
    expect(set.stderr).toMatch(/^stored db_password in local/);
    expect(set.code).toBe(0);
    expect(fake.server.calls("Decrypt") - before).toBe(1);
    before = fake.server.calls("Decrypt");
    const run = await runHushBinary(CLI, ["run", "--", process.execPath, "-e", "console.log(process.env.DB_PASSWORD)"], { cwd: dir, env });
    expect(run.stderr, "no SDK notice, no warning").toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe("pw-CANARY-kms-0123456789");
    expect(fake.server.calls("Decrypt") - before, "one Decrypt for the whole run").toBe(1);
    expect(readdirSync(join(dir, ".secrets")).filter((f) => f.endsWith(".key"))).toEqual([]);
  });

  it("a KMS that denies: exit 8, ACCESS_DENIED, no value, and no new key made", async () => {
    fake.denied = true;
    try {
      const files = readdirSync(join(dir, ".secrets")).sort();
      const run = await runHushBinary(CLI, ["run", "--strict", "--", process.execPath, "-e", "0"], { cwd: dir, env });
      expect(run.code).toBe(8);
      expect(run.stderr).toMatch(/KMS refused/);
      expect(run.stdout + run.stderr).not.toContain("CANARY");
      expect(readdirSync(join(dir, ".secrets")).sort()).toEqual(files);
    } finally {
      fake.denied = false;
    }
  });
});
