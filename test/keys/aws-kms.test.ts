/**
 * The `aws-kms` key provider against the KMS fake (test/fakes/aws-kms.ts), through the real
 * `@aws-sdk/client-kms` pointed at it with `endpoint` and static test credentials from the
 * environment. The key-provider conformance suite, then envelope mode's own behaviour: only a
 * ciphertext on disk (0600), one Decrypt per process, bound to the environment.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EncryptCommand, KMSClient } from "@aws-sdk/client-kms";
import { awsKmsKeyProviderType, createAwsKmsKeyProvider, type AwsKmsKeyProviderOptions } from "../../src/keys/aws-kms.js";
import { createKmsClient } from "../../src/keys/aws-kms/kms-client.js";
import type { KeyProviderContext } from "../../src/keys/provider.js";
import { generateFernetKey } from "../../src/crypto/fernet.js";
import { HushError } from "../../src/errors.js";
import { describeKeyProviderConformance } from "./conformance/suite.js";
import { startAwsKmsFake, type AwsKmsFake } from "../fakes/aws-kms.js";

const TEST_ENV: Record<string, string> = { AWS_ACCESS_KEY_ID: "AKIDTESTFAKE0000KMS1", AWS_SECRET_ACCESS_KEY: "test-secret-access-key", AWS_EC2_METADATA_DISABLED: "true", AWS_REGION: "us-east-1" };
const saved: Record<string, string | undefined> = {};
const base = mkdtempSync(join(tmpdir(), "hush-key-aws-kms-"));
beforeAll(() => {
  for (const [k, v] of Object.entries(TEST_ENV)) [saved[k], process.env[k]] = [process.env[k], v];
});
afterAll(() => {
  for (const k of Object.keys(TEST_ENV)) if (saved[k] === undefined) delete process.env[k];
  else process.env[k] = saved[k];
  rmSync(base, { recursive: true, force: true });
});

function setup(fake: AwsKmsFake, environment = "prod", extra: Partial<AwsKmsKeyProviderOptions> = {}) {
  const root = mkdtempSync(join(base, "project-"));
  const context: KeyProviderContext = { root, secretsDir: join(root, ".secrets"), environment, onWarning: () => undefined };
  const keyArn = fake.createKey(`hush-${environment}-${Math.random().toString(36).slice(2)}`);
  const options: AwsKmsKeyProviderOptions = { keyId: keyArn, endpoint: fake.url, timeout: 1000, ...extra };
  const make = () => awsKmsKeyProviderType.create({ ...options, timeout: options.timeout ?? 1000 }, context);
  return { root, context, keyArn, make, file: join(root, ".secrets", `${environment}.key.aws-kms`) };
}

describeKeyProviderConformance("aws-kms", {
  async create() {
    const fake = await startAwsKmsFake();
    const { make, file } = setup(fake);
    return {
      provider: make(),
      reopen: make,
      calls: () => fake.server.calls("Decrypt"),
      faults: {
        async wrongKey() {
          // The file now holds a key wrapped by another KMS key (same environment context).
          const other = fake.createKey();
          const kms = new KMSClient({ endpoint: fake.url, maxAttempts: 1 });
          const out = await kms.send(new EncryptCommand({ KeyId: other, Plaintext: Buffer.alloc(32, 7), EncryptionContext: { "hush:environment": "prod", "hush:purpose": "environment-key" } }));
          kms.destroy();
          const doc = JSON.parse(readFileSync(file, "utf8")) as Record<string, string>;
          writeFileSync(file, JSON.stringify({ ...doc, ciphertext: Buffer.from(out.CiphertextBlob!).toString("base64") }));
        },
        corrupt: async () => writeFileSync(file, Buffer.from([0xff, 0x00, 0x41])),
        laxPermissions: async () => chmodSync(file, 0o644),
        deny: async () => void (fake.denied = true),
        unreachable: () => fake.close(),
      },
      cleanup: () => fake.close(),
    };
  },
});

describe("aws-kms key provider", () => {
  let fake: AwsKmsFake;
  beforeAll(async () => {
    fake = await startAwsKmsFake();
  });
  afterAll(() => fake.close());

  it("keeps only a KMS ciphertext on disk, 0600 in the 0700 secrets folder; nothing in the project folder opens it without KMS", async () => {
    const { make, file, root } = setup(fake);
    const key = generateFernetKey();
    await make().save(key);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(root, ".secrets")).mode & 0o777).toBe(0o700);
    const text = readFileSync(file, "utf8");
    const raw = Buffer.from(key, "base64url");
    for (const form of [key, raw.toString("base64"), raw.toString("hex")]) expect(text.includes(form.slice(0, 16))).toBe(false);
    expect(make().location()).toMatchObject({ provider: "aws-kms", insideProject: false });
    fake.denied = true;
    try {
      const e = await make().load().catch((x: unknown) => x);
      expect((e as HushError).code).toBe("ACCESS_DENIED");
    } finally {
      fake.denied = false;
    }
  });

  it("one Decrypt per process: many loads, concurrent and repeated, make one call", async () => {
    const { make } = setup(fake);
    await make().save(generateFernetKey());
    const provider = make();
    const before = fake.server.calls("Decrypt");
    await Promise.all(Array.from({ length: 10 }, () => provider.load()));
    for (let i = 0; i < 5; i++) await provider.load();
    expect(fake.server.calls("Decrypt") - before).toBe(1);
  });

  it("the ciphertext is bound to its environment: prod's wrapped key put in dev's place is WRONG_KEY", async () => {
    const prod = setup(fake, "prod");
    await prod.make().save(generateFernetKey());
    const dev = setup(fake, "dev", { keyId: prod.keyArn });
    await dev.make().save(generateFernetKey());
    writeFileSync(dev.file, readFileSync(prod.file));
    const e = await dev.make().load().catch((x: unknown) => x);
    expect((e as HushError).code).toBe("WRONG_KEY");
  });

  it("a disabled KMS key is KMS_DECRYPT_FAILED; check() reports it with a fix; a slow KMS is SOURCE_UNAVAILABLE", async () => {
    const { make, keyArn } = setup(fake);
    await make().save(generateFernetKey());
    expect((await make().check!()).ok).toBe(true);
    fake.disabled.add(keyArn);
    const e = await make().load().catch((x: unknown) => x);
    expect((e as HushError).code).toBe("KMS_DECRYPT_FAILED");
    const check = await make().check!();
    expect(check.ok).toBe(false);
    expect(check.problems?.[0]?.fix).toMatch(/describe-key/);
    fake.disabled.delete(keyArn);
    fake.server.alwaysFault = { delayMs: 3000 };
    try {
      const slow = await make().load().catch((x: unknown) => x);
      expect((slow as HushError).code).toBe("SOURCE_UNAVAILABLE");
      expect((slow as HushError).message).toMatch(/timed out/);
    } finally {
      fake.server.alwaysFault = undefined;
    }
  });

  it("without the SDK installed: MISSING_DEPENDENCY with the install command", async () => {
    const { context, keyArn } = setup(fake);
    const missing = "@aws-sdk/client-kms-not-installed";
    const client = createKmsClient({ timeoutMs: 100, attempts: 1, importSdk: () => import(missing) });
    const e = await createAwsKmsKeyProvider({ keyId: keyArn, client }, context).save(generateFernetKey()).catch((x: unknown) => x);
    expect((e as HushError).code).toBe("MISSING_DEPENDENCY");
    expect((e as HushError).message).toContain("npm install @aws-sdk/client-kms");
  });
});
