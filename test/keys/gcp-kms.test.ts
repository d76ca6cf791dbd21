/**
 * The `gcp-kms` key provider through the key-provider conformance suite, against the fake Cloud KMS
 * (test/fakes/gcp-kms.ts) with the real SDK in REST mode and real service-account credentials
 * (GOOGLE_APPLICATION_CREDENTIALS). The wrapped key file is written 0600; KMS decrypts are counted
 * on the fake (once per process).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gcpKmsKeyProviderType } from "../../src/keys/gcp-kms.js";
import type { KeyProviderContext } from "../../src/keys/provider.js";
import { generateFernetKey } from "../../src/crypto/fernet.js";
import { HushError } from "../../src/errors.js";
import { wrappedKeyPath } from "../../src/keys/gcp-kms/wrapped-file.js";
import { startGcpKmsFake, type GcpKmsFake } from "../fakes/gcp-kms.js";
import { describeKeyProviderConformance } from "./conformance/suite.js";

let kms: GcpKmsFake;
let base: string;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  kms = await startGcpKmsFake({ projectId: "hush-test", location: "global" });
  base = mkdtempSync(join(tmpdir(), "hush-key-gcp-kms-"));
  writeFileSync(join(base, "sa.json"), JSON.stringify(kms.account.json), { mode: 0o600 });
  env = { GOOGLE_APPLICATION_CREDENTIALS: join(base, "sa.json") };
});
afterAll(async () => {
  await kms?.close();
  if (base) rmSync(base, { recursive: true, force: true });
});

let counter = 0;
function setup(environment = "prod") {
  const root = mkdtempSync(join(base, "p-"));
  const context: KeyProviderContext = { root, secretsDir: join(root, ".secrets"), environment, env, onWarning: () => undefined };
  const keyName = kms.createKey("hush", `k${++counter}`);
  const make = (name = keyName) => gcpKmsKeyProviderType.create({ keyName: name, endpoint: kms.url }, context);
  return { root, context, keyName, make, path: wrappedKeyPath(context.secretsDir, environment) };
}

describeKeyProviderConformance("gcp-kms", {
  async create() {
    const { make, path, keyName } = setup();
    return {
      provider: make(),
      reopen: () => make(),
      calls: () => kms.calls.decrypt,
      faults: {
        async wrongKey() {
          // The same file, wrapped by another KMS key that then claims to be the configured one.
          const other = kms.createKey("hush", `other${++counter}`);
          await make(other).save(generateFernetKey(), { replace: true });
          writeFileSync(path, readFileSync(path, "utf8").replace(other, keyName), { mode: 0o600 });
        },
        async corrupt() {
          writeFileSync(path, '{"format":"hush-gcp-kms","version":1,"keyName":"x"', { mode: 0o600 });
        },
        async laxPermissions() {
          chmodSync(path, 0o644);
        },
        async deny() {
          kms.denied = true;
        },
        async unreachable() {
          kms.server.alwaysFault = { drop: true };
        },
      },
      async cleanup() {
        kms.denied = false;
        kms.server.alwaysFault = undefined;
      },
    };
  },
});

describe("gcp-kms key provider", () => {
  it("keeps only a ciphertext, 0600, bound to the environment; one decrypt per process", async () => {
    const { make, path, context, keyName } = setup("prod");
    const key = generateFernetKey();
    await make().save(key);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const text = readFileSync(path, "utf8");
    const raw = Buffer.from(key, "base64url");
    for (const form of [key.slice(0, 20), raw.toString("base64").slice(0, 20), raw.toString("hex").slice(0, 20)]) expect(text).not.toContain(form);
    const before = kms.calls.decrypt;
    const provider = make();
    await Promise.all([provider.load(), provider.load(), provider.load()]);
    await provider.load();
    expect(kms.calls.decrypt - before).toBe(1);
    // The same file under another environment's name does not open (AAD hush:<env>).
    const staging = join(context.secretsDir, "staging.gcp-kms.json");
    writeFileSync(staging, text, { mode: 0o600 });
    const other = gcpKmsKeyProviderType.create({ keyName, endpoint: kms.url }, { ...context, environment: "staging" });
    await expect(other.load()).rejects.toMatchObject({ code: "WRONG_KEY" });
  });

  it("a denied KMS names the role to grant; check() reports it as a problem", async () => {
    const { make } = setup();
    await make().save(generateFernetKey());
    kms.denied = true;
    try {
      const e = (await make().load().catch((err: unknown) => err)) as HushError;
      expect(e).toBeInstanceOf(HushError);
      expect(e.code).toBe("ACCESS_DENIED");
      expect(e.hint).toContain("roles/cloudkms.cryptoKeyDecrypter");
      const check = await make().check!();
      expect(check.ok).toBe(false);
      expect(check.problems?.[0]?.fix).toContain("gcloud kms keys add-iam-policy-binding");
    } finally {
      kms.denied = false;
    }
  });

  it("keyName is validated when hush.yaml loads; a file wrapped by another key says which", async () => {
    const problems: string[] = [];
    expect(gcpKmsKeyProviderType.options.keyName.check("not/a/key", "keys.prod.keyName" as never, (_p: unknown, m: string) => problems.push(m))).toBeUndefined();
    expect(problems[0]).toMatch(/crypto key name/);
    const { make } = setup();
    await make().save(generateFernetKey());
    const other = kms.createKey("hush", `x${++counter}`);
    await expect(make(other).load()).rejects.toMatchObject({ code: "WRONG_KEY" });
  });
});
