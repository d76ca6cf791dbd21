/**
 * The `aws` source against the Secrets Manager fake (test/fakes/aws-secrets-manager.ts), through
 * the real `@aws-sdk/client-secrets-manager` pointed at it with `endpoint` and static test
 * credentials from the environment (the SDK's default chain). The shared conformance suite, then
 * what is AWS's own: JSON properties, binary values, stages, the idempotent retried write,
 * pagination, batches, every error, a slow server.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { awsSourceType, createAwsSource, type AwsSourceOptions } from "../../src/sources/aws.js";
import { HushError, type HushErrorCode } from "../../src/errors.js";
import type { SecretSource } from "../../src/types.js";
import { describeSourceConformance } from "./conformance/suite.js";
import { expectHushError } from "./conformance/cases.js";
import { startAwsSecretsManagerFake, type AwsSecretsManagerFake } from "../fakes/aws-secrets-manager.js";

const TEST_ENV: Record<string, string> = { AWS_ACCESS_KEY_ID: "AKIDTESTFAKE0000AWS1", AWS_SECRET_ACCESS_KEY: "test-secret-access-key", AWS_EC2_METADATA_DISABLED: "true", AWS_REGION: "us-east-1" };
const saved: Record<string, string | undefined> = {};
beforeAll(() => {
  for (const [k, v] of Object.entries(TEST_ENV)) [saved[k], process.env[k]] = [process.env[k], v];
});
afterAll(() => {
  for (const k of Object.keys(TEST_ENV)) if (saved[k] === undefined) delete process.env[k];
  else process.env[k] = saved[k];
});

const PREFIX = "app/dev/";

const awsError = (type: string, message: string) => JSON.stringify({ __type: type, message });

describeSourceConformance(
  "aws",
  {
    async create() {
      const fake = await startAwsSecretsManagerFake();
      // As hush.yaml builds it: the aws source behind the remote toolkit's cache (60s), with a
      // short timeout for the `slow` case. recoveryWindowDays 0: the suite's `write` case wants a
      // deleted name to read as "not here", which AWS does only after a delete without recovery;
      // the default (a recovery window, the secret then reading as DELETED) is tested below.
      const options = { endpoint: fake.url, path: "app/{env}", recoveryWindowDays: 0, maxAttempts: 3, cacheTtl: 60_000, timeout: 300 };
      const source = await awsSourceType.create(options, { root: "/nonexistent", secretsDir: "/nonexistent/.secrets", environment: "dev", onWarning: () => undefined });
      const heal = async () => {
        fake.server.alwaysFault = undefined;
        fake.server.faults.length = 0;
        fake.server.tokenExpired = false;
      };
      return {
        source,
        async seed(values) {
          for (const [k, v] of Object.entries(values)) fake.put(`${PREFIX}${k}`, v);
        },
        async breakIt() {
          fake.server.alwaysFault = { status: 500, body: awsError("InternalServiceError", "An error occurred on the server side.") };
        },
        faults: {
          deny: async (name) => void fake.deny.add(`${PREFIX}${name}`),
          deleteLatest: async (name) => void (fake.secrets.get(`${PREFIX}${name}`)!.deletionDate = new Date(Date.now() + 7 * 86_400_000)),
          rateLimit: async (seconds) => void fake.server.faults.push({ status: 429, headers: { "retry-after": String(seconds) }, body: awsError("ThrottlingException", "Rate exceeded") }),
          async serverErrors(count) {
            const fault = (status: number) => ({ status, body: awsError("InternalServiceError", "An error occurred on the server side.") });
            if (count === Infinity) fake.server.alwaysFault = fault(500);
            else for (let i = 0; i < count; i++) fake.server.faults.push(fault([500, 502, 503][i % 3]!));
          },
          slow: async () => void (fake.server.alwaysFault = { delayMs: 3000 }),
          malformed: async () => void (fake.server.alwaysFault = { malformed: true }),
          async expireToken() {
            // Static keys (and a role session hush cannot renew by itself) do not come back to life.
            fake.server.tokenExpired = true;
            return "denied" as const;
          },
          heal,
        },
        async cleanup() {
          await source.dispose?.();
          await fake.close();
        },
      };
    },
  },
  {
    skips: {
      setMany: "Secrets Manager has no batch write: one PutSecretValue per name (the manager falls back to set, which is not quadratic here)",
      watch: "Secrets Manager sends no change notifications to a client (EventBridge is an account-level integration)",
    },
  },
);

describe("aws source: AWS's own behaviour", () => {
  let fake: AwsSecretsManagerFake;
  let source: SecretSource;
  const make = (options: AwsSourceOptions = {}) => (source = createAwsSource({ endpoint: fake.url, path: PREFIX, ...options }));
  beforeAll(async () => {
    fake = await startAwsSecretsManagerFake();
  });
  afterEach(async () => {
    fake.server.alwaysFault = undefined;
    fake.server.faults.length = 0;
    await source?.dispose?.();
  });
  afterAll(() => fake.close());

  async function expectCode(p: Promise<unknown>, code: HushErrorCode): Promise<HushError> {
    const e = await p.then(
      () => expect.unreachable("it must throw"),
      (x: unknown) => x,
    );
    return expectHushError(e, code);
  }

  it("JSON properties through remote refs; a missing property is 'not here' (as for every remote source); a non-JSON value is an error without the value", async () => {
    fake.put("prod/db", JSON.stringify({ username: "app", password: "pw-CANARY-1", port: 5432, nested: { token: "nested-CANARY" } }));
    fake.put("prod/plain", "plain-CANARY-text");
    const refs = { db_password: { key: "prod/db", property: "password" }, db_port: { key: "prod/db", property: "port" }, db_token: { key: "prod/db", property: "nested.token" }, db_nope: { key: "prod/db", property: "nope" }, plain_field: { key: "prod/plain", property: "x" } };
    make({ remoteRefs: refs });
    expect((await source.get("db_password"))?.value).toBe("pw-CANARY-1");
    expect(await source.get("db_port")).toMatchObject({ value: "5432", encoding: "json" });
    expect(await source.get("db_token"), "a top-level key only: no dotted paths").toBeUndefined();
    expect((await source.getMany!(["db_password", "db_token", "db_port"])).map((r) => r?.value)).toEqual(["pw-CANARY-1", undefined, "5432"]);
    expect(await source.get("db_nope")).toBeUndefined();
    await expectCode(source.get("plain_field"), "INVALID_VALUE");
    await expectCode(source.set!("db_password", "x-CANARY"), "READ_ONLY");
    expect(source.remoteLocation!("db_password")).toEqual({ key: "prod/db", property: "password", mapped: true, address: "prod/db#password" });
    expect(source.remoteLocation!("other_name")).toEqual({ key: `${PREFIX}other_name`, mapped: false, address: `${PREFIX}other_name` });
  });

  it("SecretBinary: UTF-8 text as text; other bytes as base64 (64 KiB, AWS's maximum); a value over 64 KiB is refused before any call", async () => {
    const bytes = randomBytes(65_536);
    fake.put(`${PREFIX}bin_key`, bytes);
    fake.put(`${PREFIX}bin_text`, Buffer.from("text-in-binary-✓"));
    make();
    const r = await source.get("bin_key");
    expect(Buffer.from(r!.value, "base64").equals(bytes)).toBe(true);
    expect(r!.location).toContain("binary, base64");
    expect((await source.get("bin_text"))?.value).toBe("text-in-binary-✓");
    const before = fake.server.requests.length;
    const big = "CANARY".repeat(200_000); // 1.2 MB
    await expectCode(source.set!("too_big", big), "LIMIT_EXCEEDED");
    expect(fake.server.requests.length).toBe(before);
  });

  it("stages: versions() shows current / previous / pending; reads by stage and by version id", async () => {
    const v1 = fake.put(`${PREFIX}rot`, "one-CANARY");
    fake.put(`${PREFIX}rot`, "two-CANARY");
    const secret = fake.secrets.get(`${PREFIX}rot`)!;
    secret.versions.push({ id: "11111111-2222-4333-8444-555555555555", string: "three-CANARY", stages: ["AWSPENDING"], created: new Date() });
    make({ remoteRefs: { rot_pending: { key: `${PREFIX}rot`, version: "pending" }, rot_prev: { key: `${PREFIX}rot`, version: "AWSPREVIOUS" }, rot_v1: { key: `${PREFIX}rot`, version: v1.id } } });
    const versions = await source.versions!("rot");
    expect(versions.map((v) => [v.version, v.labels])).toEqual([[3, ["pending"]], [2, ["current"]], [1, ["previous"]]]);
    expect((await source.get("rot"))?.value).toBe("two-CANARY");
    expect((await source.get("rot_pending"))?.value).toBe("three-CANARY");
    expect((await source.get("rot_prev"))?.value).toBe("one-CANARY");
    expect((await source.get("rot_v1"))?.value).toBe("one-CANARY");
    expect((await source.getMany!(["rot_pending", "rot"])).map((r) => r?.value)).toEqual(["three-CANARY", "two-CANARY"]);
    expect((await source.getVersion!("rot", 1))?.value).toBe("one-CANARY");
    const back = await source.rollback!("rot", 1);
    expect(back.value).toBe("one-CANARY");
    const after = await source.versions!("rot");
    expect(after.length).toBe(4);
    expect(after.find((v) => v.labels?.includes("current"))?.version, "the rollback is a new version, made current").toBe(4);
  });

  it("versions() pages through ListSecretVersionIds past one page (150 versions, 100 a page)", async () => {
    for (let i = 0; i < 150; i++) fake.put(`${PREFIX}many_versions`, `v${i}-CANARY`);
    make();
    const before = fake.server.calls("ListSecretVersionIds");
    const versions = await source.versions!("many_versions");
    expect(fake.server.calls("ListSecretVersionIds") - before).toBe(2);
    expect(versions.map((v) => v.version)).toEqual(Array.from({ length: 150 }, (_, i) => 150 - i));
    expect(versions[0]!.labels).toEqual(["current"]);
    expect((await source.getVersion!("many_versions", 7))?.value).toBe("v6-CANARY");
  });

  it("a write whose reply is lost is retried with the same ClientRequestToken and makes one version", async () => {
    fake.put(`${PREFIX}idem`, "v1-CANARY");
    make({ timeoutMs: 300, maxAttempts: 3 });
    const puts = fake.server.calls("PutSecretValue");
    fake.server.delayReplies.push(1500); // AWS stores the first PutSecretValue, its reply comes too late
    await source.set!("idem", "v2-CANARY");
    const sent = fake.server.requests.filter((r) => r.headers["x-amz-target"] === "secretsmanager.PutSecretValue").slice(puts);
    expect(sent.length, "the SDK retried the write").toBe(2);
    expect(new Set(sent.map((r) => (r.json as { ClientRequestToken: string }).ClientRequestToken)).size, "with one token").toBe(1);
    expect(fake.secrets.get(`${PREFIX}idem`)!.versions.length, "one new version, not two").toBe(2);
    expect((await source.versions!("idem")).length).toBe(2);
  });

  it("CreateSecret on the first write; ListSecrets past one page; getMany of 50 names in 3 batch calls (20 a call)", async () => {
    make({ path: "many/" });
    await source.set!("created_here", "c-CANARY");
    expect(fake.secrets.get("many/created_here")?.versions.length).toBe(1);
    for (let i = 0; i < 249; i++) fake.put(`many/name_${String(i).padStart(3, "0")}`, `value-${i}`);
    fake.put("other/outside", "x");
    const listCalls = fake.server.calls("ListSecrets");
    const names = await source.list();
    expect(names.length).toBe(250);
    expect(names).not.toContain("outside");
    expect(fake.server.calls("ListSecrets") - listCalls).toBe(3);
    const want = names.slice(0, 50);
    const [batch, single] = [fake.server.calls("BatchGetSecretValue"), fake.server.calls("GetSecretValue")];
    const records = await source.getMany!(["not_there", ...want]);
    expect(records[0]).toBeUndefined();
    expect(records.slice(1).every((r, i) => r?.name === want[i])).toBe(true);
    expect(fake.server.calls("BatchGetSecretValue") - batch).toBe(3);
    expect(fake.server.calls("GetSecretValue") - single).toBe(0);
  });

  it("errors: DecryptionFailure is KMS_DECRYPT_FAILED; a default delete keeps the recovery window and then reads DELETED", async () => {
    fake.put(`${PREFIX}kms_broken`, "k-CANARY");
    fake.decryptFailure.add(`${PREFIX}kms_broken`);
    make();
    await expectCode(source.get("kms_broken"), "KMS_DECRYPT_FAILED");
    await expectCode(source.getMany!(["kms_broken"]), "KMS_DECRYPT_FAILED");
    fake.put(`${PREFIX}soft_deleted`, "s-CANARY");
    expect(await source.delete!("soft_deleted")).toBe(true);
    const days = (fake.secrets.get(`${PREFIX}soft_deleted`)!.deletionDate!.getTime() - Date.now()) / 86_400_000;
    expect(Math.round(days)).toBe(30);
    const e = await expectCode(source.get("soft_deleted"), "DELETED");
    expect(e.hint).toContain("restore-secret");
    expect(await source.delete!("soft_deleted")).toBe(false);
  });

  it("ThrottlingException is retried by the SDK (bounded: maxAttempts), then SOURCE_UNAVAILABLE", async () => {
    fake.put(`${PREFIX}busy`, "b-CANARY");
    const throttle = { status: 400, body: JSON.stringify({ __type: "ThrottlingException", message: "Rate exceeded" }) };
    make({ maxAttempts: 3 });
    const before = fake.server.requests.length;
    fake.server.faults.push(throttle, throttle);
    expect((await source.get("busy"))?.value).toBe("b-CANARY");
    expect(fake.server.requests.length - before).toBe(3);
    fake.server.faults.push(throttle, throttle, throttle, throttle);
    await expectCode(source.get("busy"), "SOURCE_UNAVAILABLE");
    expect(fake.server.requests.length - before).toBe(6);
  });

  it("a slow server past timeoutMs is SOURCE_UNAVAILABLE after maxAttempts; a closed port too; a malformed reply is BAD_REPLY", async () => {
    fake.put(`${PREFIX}slow`, "s-CANARY");
    make({ timeoutMs: 200, maxAttempts: 2 });
    fake.server.alwaysFault = { delayMs: 3000 };
    const before = fake.server.requests.length;
    await expectCode(source.get("slow"), "SOURCE_UNAVAILABLE");
    expect(fake.server.requests.length - before).toBe(2);
    fake.server.alwaysFault = { malformed: true };
    await expectCode(source.get("slow"), "BAD_REPLY");
    fake.server.alwaysFault = undefined;
    const closed = createAwsSource({ endpoint: "http://127.0.0.1:9", maxAttempts: 1, timeoutMs: 500 });
    await expectCode(closed.get("x"), "SOURCE_UNAVAILABLE");
    await closed.dispose?.();
  });

  it("without the SDK installed: MISSING_DEPENDENCY with the install command", async () => {
    const { createLazyAwsClient } = await import("../../src/sources/aws/client.js");
    const missing = "@aws-sdk/client-secrets-manager-not-installed";
    const client = createLazyAwsClient({ timeoutMs: 100, maxAttempts: 1, importSdk: () => import(missing) });
    const e = await expectCode(createAwsSource({ client }).get("x"), "MISSING_DEPENDENCY");
    expect(e.message).toContain("npm install @aws-sdk/client-secrets-manager");
  });
});
