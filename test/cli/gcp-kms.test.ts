/**
 * `keys: { prod: { provider: gcp-kms } }` end to end: the local store of `prod` opened with a key
 * that exists only as a Cloud KMS ciphertext, through the CLI, against the fake KMS (real SDK, real
 * credentials). One decrypt per process; a denied KMS is ACCESS_DENIED, never "no secrets".
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CANARY, expectNoCanary, hushIn, tempProject } from "../config/temp-project.js";
import { baseEnv, REPO, runHushBinary } from "../helpers/run-binary.js";
import { generateFernetKey } from "../../src/crypto/fernet.js";
import { gcpKmsKeyProviderType } from "../../src/keys/gcp-kms.js";
import { startGcpKmsFake, type GcpKmsFake } from "../fakes/gcp-kms.js";

let kms: GcpKmsFake;
beforeAll(async () => {
  kms = await startGcpKmsFake({ projectId: "hush-test" });
});
afterAll(async () => kms?.close());

async function project(): Promise<{ dir: string; env: NodeJS.ProcessEnv }> {
  const keyName = kms.createKey("hush", `prod${Math.random().toString(36).slice(2, 8)}`);
  const yaml = ["version: 1", "audit: off", "keys:", "  prod:", "    provider: gcp-kms", `    keyName: ${keyName}`, `    endpoint: ${kms.url}`, ""].join("\n");
  const dir = tempProject({ "hush.yaml": yaml });
  writeFileSync(join(dir, "sa.json"), JSON.stringify(kms.account.json), { mode: 0o600 });
  const env = { GOOGLE_APPLICATION_CREDENTIALS: join(dir, "sa.json"), HUSH_ENV: "prod" };
  const context = { root: dir, secretsDir: join(dir, ".secrets"), environment: "prod", env, onWarning: () => undefined };
  await gcpKmsKeyProviderType.create({ keyName, endpoint: kms.url }, context).save(generateFernetKey());
  return { dir, env };
}

describe("a local store whose key is in Cloud KMS", () => {
  it("set, get and run open the store through one KMS decrypt per process; no key file in the project", async () => {
    const { dir, env } = await project();
    const set = await hushIn(dir, ["set", "openai_api_key"], { env, stdin: CANARY });
    expect(set.stderr).not.toMatch(/error/i);
    const got = await hushIn(dir, ["get", "openai_api_key"], { env });
    expect(got.stdout.trim()).toBe(CANARY);
    const probe = "process.exit(process.env.OPENAI_API_KEY === process.argv[1] ? 0 : 9)";
    const before = kms.calls.decrypt;
    const run = await runHushBinary(join(REPO, "dist/cli.js"), ["run", "--", process.execPath, "-e", probe, CANARY], { cwd: dir, env: baseEnv(env) });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(kms.calls.decrypt - before, "hush run: one KMS decrypt for the whole process").toBe(1);
    expect(readdirSync(join(dir, ".secrets")).filter((f) => f.endsWith(".key"))).toEqual([]);
    expect(existsSync(join(dir, ".secrets", "prod.gcp-kms.json"))).toBe(true);
  });

  it("a denied KMS is ACCESS_DENIED with the grant to fix it, never 'not found' and never a value", async () => {
    const { dir, env } = await project();
    await hushIn(dir, ["set", "openai_api_key"], { env, stdin: CANARY });
    kms.denied = true;
    try {
      const probe = "process.exit(0)";
      const r = await runHushBinary(join(REPO, "dist/cli.js"), ["get", "openai_api_key"], { cwd: dir, env: baseEnv(env) });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain("cryptoKeyDecrypter");
      expect(r.stderr).not.toMatch(/not found/i);
      expect(r.stdout + r.stderr).not.toContain(CANARY);
      const run = await runHushBinary(join(REPO, "dist/cli.js"), ["run", "--", process.execPath, "-e", probe], { cwd: dir, env: baseEnv(env) });
      expect(run.code).not.toBe(0);
      expectNoCanary({ code: run.code ?? 1, stdout: run.stdout, stderr: run.stderr });
    } finally {
      kms.denied = false;
    }
  });
});
