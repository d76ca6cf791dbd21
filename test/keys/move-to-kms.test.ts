/**
 * `hush key move --to aws-kms`: an existing store with a plain key file adopts a KMS. hush.yaml
 * names the provider first; the key is wrapped by the KMS, read back through it, and only then is
 * the plain key file removed. Without the hush.yaml entry the move is refused and nothing changes.
 * Then `hush key rotate` re-keys it under the same KMS key (src/keys/rotation-keys.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO, runHushBinary } from "../helpers/run-binary.js";
import { startAwsKmsFake, type AwsKmsFake } from "../fakes/aws-kms.js";

const CLI = join(REPO, "dist/cli.js");
const VALUE = "pw-CANARY-move-0123456789";
const CREDS = { AWS_ACCESS_KEY_ID: "AKIDTESTFAKE0000MOVE", AWS_SECRET_ACCESS_KEY: "test-secret", AWS_EC2_METADATA_DISABLED: "true", AWS_REGION: "us-east-1" };
let fake: AwsKmsFake;
let dir: string;
let env: NodeJS.ProcessEnv;
const hush = (...args: string[]) => runHushBinary(CLI, args, { cwd: dir, env });

beforeAll(async () => {
  fake = await startAwsKmsFake();
  fake.createKey("hush-dev");
  dir = mkdtempSync(join(tmpdir(), "hush-key-move-kms-"));
  env = { PATH: process.env.PATH, HOME: dir, XDG_CONFIG_HOME: join(dir, ".config"), AWS_CONFIG_FILE: "/nonexistent", AWS_SHARED_CREDENTIALS_FILE: "/nonexistent", ...CREDS };
  expect((await hush("init", "--key-provider", "file")).code).toBe(0);
  expect((await runHushBinary(CLI, ["set", "db_password"], { cwd: dir, env, input: VALUE })).code).toBe(0);
});
afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("hush key move --to a KMS provider", () => {
  it("without keys.dev in hush.yaml: refused (CONFIG_INVALID), the key file stays", async () => {
    const r = await hush("key", "move", "--to", "aws-kms");
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("keys.dev must name it");
    expect(existsSync(join(dir, ".secrets/.encryption.key"))).toBe(true);
    expect(r.stdout + r.stderr).not.toContain("CANARY");
  });

  it("with it: the key is wrapped by the KMS, read back, and the plain key file removed; the store still opens", async () => {
    const yaml = readFileSync(join(dir, "hush.yaml"), "utf8");
    writeFileSync(join(dir, "hush.yaml"), `version: 1\n${yaml}\nkeys:\n  dev: { provider: aws-kms, keyId: alias/hush-dev, endpoint: "${fake.url}" }\n`);
    const r = await hush("key", "move", "--to", "aws-kms", "--json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ environment: "dev", from: { provider: "file" }, to: { provider: "aws-kms" }, moved: true });
    expect(existsSync(join(dir, ".secrets/.encryption.key"))).toBe(false);
    expect(readdirSync(join(dir, ".secrets")).filter((f) => f.endsWith(".key"))).toEqual([]);
    const get = await hush("get", "db_password");
    expect(get.code).toBe(0);
    expect(get.stdout.trim()).toBe(VALUE);
    const again = await hush("key", "move", "--to", "aws-kms");
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("already is with the aws-kms provider");
  });

  it("then hush key rotate: a new key wrapped by the same KMS key, the store re-encrypted, the old key opens nothing; KMS denied: nothing changes", async () => {
    const wrapped = join(dir, ".secrets/dev.key.aws-kms");
    const store = join(dir, ".secrets/dev.store");
    const before = { wrapped: readFileSync(wrapped), store: readFileSync(store) };
    fake.denied = true;
    const refused = await hush("key", "rotate");
    fake.denied = false;
    expect(refused.code, refused.stderr).toBe(8); // ACCESS_DENIED
    expect(refused.stderr).toContain("AWS KMS refused");
    expect(refused.stderr, "the error says nothing changed and the command can be run again").toMatch(/ Nothing was changed: the store and the key file are as they were, and no pending key is left\. Run `hush key rotate` again once this is fixed\.\n {2}hint: /);
    expect(refused.stdout + refused.stderr).not.toContain("CANARY");
    expect(readFileSync(wrapped)).toEqual(before.wrapped);
    expect(readFileSync(store)).toEqual(before.store);
    expect(existsSync(`${wrapped}.pending`)).toBe(false);
    const r = await hush("key", "rotate", "--json");
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ environment: "dev", provider: "aws-kms", keyPath: wrapped, reencrypted: true });
    expect(JSON.parse(readFileSync(wrapped, "utf8"))).toMatchObject({ keyId: JSON.parse(before.wrapped.toString("utf8")).keyId });
    expect(readFileSync(wrapped)).not.toEqual(before.wrapped);
    expect(readFileSync(store)).not.toEqual(before.store);
    expect(existsSync(`${wrapped}.pending`)).toBe(false);
    expect(r.stdout + r.stderr).not.toContain("CANARY");
    // The audit log's anchor was re-MACed under the new key.
    const verify = await hush("audit", "verify");
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    // The old wrapped key still unwraps (the KMS key is the same) but opens nothing: put back, the store refuses it.
    const now = readFileSync(wrapped);
    writeFileSync(wrapped, before.wrapped, { mode: 0o600 });
    const old = await hush("get", "db_password");
    expect(old.code, old.stderr).toBe(5); // WRONG_KEY
    expect(old.stdout + old.stderr).not.toContain("CANARY");
    writeFileSync(wrapped, now, { mode: 0o600 });
    const get = await hush("get", "db_password");
    expect(get.code, get.stderr).toBe(0);
    expect(get.stdout.trim()).toBe(VALUE);
  });
});
