/**
 * The `aws` source's live check (`hush doctor`), through the descriptor as hush.yaml builds it,
 * against the Secrets Manager fake: identity from the credential chain, reachability, and the
 * permission to read one sample name; each problem with its fix, and never a value.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { awsSourceType } from "../../src/sources/aws.js";
import type { RemoteRef } from "../../src/config/types.js";
import type { SourceCheck } from "../../src/types.js";
import { CALLER, startAwsSecretsManagerFake, type AwsSecretsManagerFake } from "../fakes/aws-secrets-manager.js";

const TEST_ENV: Record<string, string | undefined> = {
  AWS_ACCESS_KEY_ID: "ASIATESTFAKE0000CHK9",
  AWS_SECRET_ACCESS_KEY: "test-secret-access-key-CANARY",
  AWS_SESSION_TOKEN: undefined,
  AWS_EC2_METADATA_DISABLED: "true",
  AWS_REGION: "eu-west-1",
  AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credentials",
  AWS_CONFIG_FILE: "/nonexistent/config",
  AWS_PROFILE: undefined,
};
const saved: Record<string, string | undefined> = {};
function setEnv(values: Record<string, string | undefined>) {
  for (const [k, v] of Object.entries(values)) if (v === undefined) delete process.env[k];
  else process.env[k] = v;
}

let fake: AwsSecretsManagerFake;
beforeAll(async () => {
  for (const k of Object.keys(TEST_ENV)) saved[k] = process.env[k];
  setEnv(TEST_ENV);
  fake = await startAwsSecretsManagerFake();
});
afterEach(() => setEnv(TEST_ENV));
afterAll(async () => {
  setEnv(saved);
  await fake.close();
});

async function check(options: { endpoint?: string; path?: string }, remoteRefs?: Record<string, RemoteRef>): Promise<SourceCheck> {
  const source = await awsSourceType.create(
    { endpoint: options.endpoint ?? fake.url, path: options.path ?? "", maxAttempts: 1, recoveryWindowDays: 30, cacheTtl: 0, timeout: 1000 },
    { root: "/nonexistent", secretsDir: "/nonexistent/.secrets", environment: "prod", onWarning: () => undefined, remoteRefs },
  );
  try {
    const result = await source.check!();
    expect(JSON.stringify(result)).not.toContain("CANARY");
    return result;
  } finally {
    await source.dispose?.();
  }
}

describe("aws source check()", () => {
  it("ok: names the kind of credentials (never the key), the region, and the sample it could read", async () => {
    fake.put("svc/prod/openai_api_key", "sk-CANARY-value");
    const c = await check({ path: "svc/{env}" });
    expect(c.ok).toBe(true);
    expect(c.detail).toContain("temporary role credentials (…CHK9)");
    expect(c.detail).toContain("region eu-west-1");
    expect(c.detail).toContain('can read "svc/prod/openai_api_key"');
    expect(c.detail).not.toContain("ASIATESTFAKE");
  });

  it("a prefix with nothing under it: a probe name, whose 'not found' shows the read is allowed", async () => {
    const c = await check({ path: "empty/prefix" });
    expect(c.ok).toBe(true);
    expect(c.detail).toContain("GetSecretValue allowed under");
  });

  it("denied: the principal AWS names, and the policy to grant as the fix", async () => {
    fake.put("denied/db", "CANARY-db");
    fake.deny.add("denied/db");
    const c = await check({}, { db: { key: "denied/db" } });
    expect(c.ok).toBe(false);
    expect(c.problems![0]!.message).toContain(CALLER);
    expect(c.problems![0]!.fix).toMatch(/secretsmanager:GetSecretValue.*arn:aws:secretsmanager/);
  });

  it("a mapped secret that does not exist is a problem with a fix; a KMS failure names kms:Decrypt", async () => {
    const missing = await check({}, { db: { key: "nowhere/db" } });
    expect(missing.ok).toBe(false);
    expect(missing.problems![0]!.fix).toMatch(/remote\.key/);
    fake.put("kms/db", "CANARY");
    fake.decryptFailure.add("kms/db");
    const kms = await check({}, { db: { key: "kms/db" } });
    expect(kms.ok).toBe(false);
    expect(kms.problems![0]!.fix).toContain("kms:Decrypt");
  });

  it("no credentials anywhere in the chain: not ok, with how to give some", async () => {
    setEnv({ AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined });
    const c = await check({});
    expect(c.ok).toBe(false);
    expect(c.detail).toBe("no AWS identity");
    expect(c.problems![0]!.fix).toMatch(/AWS_PROFILE|sso/);
  });

  it("unreachable: not ok, with the network path as the fix", async () => {
    const c = await check({ endpoint: "http://127.0.0.1:9" });
    expect(c.ok).toBe(false);
    expect(c.problems![0]!.fix).toMatch(/network path/);
  });
});
