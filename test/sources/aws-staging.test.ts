// The aws source's rotation stage against the Secrets Manager fake, through the real SDK: stage
// keeps AWSCURRENT, promote moves AWSCURRENT / AWSPREVIOUS and drops AWSPENDING, check-and-set
// refusals, a retried stage makes one version, a stage that loses AWSPENDING to a concurrent one
// refuses, and failures (5xx, throttling) are SOURCE_UNAVAILABLE, never "no pending".
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateFernetKey } from "../../src/crypto/fernet.js";
import { PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { awsSourceType, createAwsSource } from "../../src/sources/aws.js";
import { HushError, type HushErrorCode } from "../../src/errors.js";
import type { SecretSource } from "../../src/types.js";
import { startAwsSecretsManagerFake, type AwsSecretsManagerFake } from "../fakes/aws-secrets-manager.js";

const TEST_ENV: Record<string, string> = { AWS_ACCESS_KEY_ID: "AKIDTESTFAKE0000AWS1", AWS_SECRET_ACCESS_KEY: "test-secret-access-key", AWS_EC2_METADATA_DISABLED: "true", AWS_REGION: "us-east-1" };
const saved: Record<string, string | undefined> = {};
const PREFIX = "app/dev/";
const OLD = ["old-", "stage-canary-", "7Hk"].join("");
const NEW = ["new-", "stage-canary-", "2Zp"].join("");

let fake: AwsSecretsManagerFake;
let source: SecretSource & Required<Pick<SecretSource, "stage" | "getPending" | "promote" | "discardPending" | "versions">>;
let n = 0;
let name: string;

beforeAll(async () => {
  for (const [k, v] of Object.entries(TEST_ENV)) [saved[k], process.env[k]] = [process.env[k], v];
  fake = await startAwsSecretsManagerFake();
});
afterAll(async () => {
  await fake.close();
  for (const k of Object.keys(TEST_ENV)) if (saved[k] === undefined) delete process.env[k];
  else process.env[k] = saved[k];
});
afterEach(async () => {
  fake.server.alwaysFault = undefined;
  fake.server.faults.length = 0;
  await source?.dispose?.();
});

/** A fresh secret `name` holding OLD, and the source (as hush.yaml builds it: behind the cache). */
async function setup(options: Partial<Parameters<typeof awsSourceType.create>[0]> = {}, root = "/nonexistent"): Promise<void> {
  name = `key_${++n}`;
  fake.put(`${PREFIX}${name}`, OLD);
  const made = await awsSourceType.create({ endpoint: fake.url, path: "app/{env}", maxAttempts: 2, cacheTtl: 60_000, timeout: 10_000, recoveryWindowDays: 30, ...options }, { root, secretsDir: join(root, ".secrets"), environment: "dev", onWarning: () => undefined });
  source = made as typeof source;
}

const stagesOf = () => fake.secrets.get(`${PREFIX}${name}`)!.versions.map((v) => [...v.stages].sort());

async function expectCode(p: Promise<unknown>, code: HushErrorCode, secrets: string[] = [OLD, NEW]): Promise<HushError> {
  const e = await p.then(
    () => expect.unreachable("it must throw"),
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(HushError);
  expect((e as HushError).code).toBe(code);
  const text = `${String(e)} ${(e as HushError).hint ?? ""} ${JSON.stringify(e)}`;
  for (const s of secrets) expect(text).not.toContain(s);
  return e as HushError;
}

describe("aws source: rotation stage on AWS's labels", () => {
  it("stage = AWSPENDING beside an unchanged AWSCURRENT; promote moves AWSCURRENT, AWSPREVIOUS to the old one, drops AWSPENDING", async () => {
    await setup();
    expect((await source.get(name))?.value).toBe(OLD); // cached now: promote must drop it
    const puts = fake.server.requests.filter((r) => r.headers["x-amz-target"] === "secretsmanager.PutSecretValue").length;
    const staged = await source.stage(name, NEW);
    expect(staged).toMatchObject({ name, value: NEW, version: 2, source: "aws" });
    const put = fake.server.requests.filter((r) => r.headers["x-amz-target"] === "secretsmanager.PutSecretValue").slice(puts);
    expect(put.map((r) => (r.json as { VersionStages?: string[] }).VersionStages)).toEqual([["AWSPENDING"]]);
    expect(stagesOf()).toEqual([["AWSCURRENT"], ["AWSPENDING"]]);
    expect((await source.get(name))?.value).toBe(OLD);
    expect(await source.getPending(name)).toMatchObject({ value: NEW, version: 2 });
    expect((await source.versions(name)).map((v) => [v.version, v.labels])).toEqual([
      [2, ["pending"]],
      [1, ["current"]],
    ]);
    expect(await source.promote(name, 2)).toMatchObject({ value: NEW, version: 2 });
    expect(stagesOf()).toEqual([["AWSPREVIOUS"], ["AWSCURRENT"]]);
    expect((await source.get(name))?.value, "the cache dropped the name at promote").toBe(NEW);
    expect(await source.getPending(name)).toBeUndefined();
    expect(await source.promote(name, 2), "a retried promote (reply lost) is done already").toMatchObject({ value: NEW, version: 2 });
  });

  it("check-and-set: a second stage is ROTATION_IN_PROGRESS; promote of a non-pending version refuses; a write after the stage makes promote CONCURRENT_MODIFICATION; discard drops AWSPENDING", async () => {
    await setup();
    await expectCode(source.promote(name, 2), "ROTATION_IN_PROGRESS");
    await source.stage(name, NEW);
    await expectCode(source.stage(name, "other-CANARY"), "ROTATION_IN_PROGRESS", [OLD, NEW, "other-CANARY"]);
    expect(stagesOf().length, "the refused stage wrote nothing").toBe(2);
    await expectCode(source.promote(name, 1), "ROTATION_IN_PROGRESS");
    await source.set!(name, "third-CANARY");
    await expectCode(source.promote(name, 2), "CONCURRENT_MODIFICATION", [OLD, NEW, "third-CANARY"]);
    expect((await source.get(name))?.value).toBe("third-CANARY");
    expect(await source.discardPending(name, 1)).toBe(false);
    expect(await source.discardPending(name, 2)).toBe(true);
    expect(await source.getPending(name)).toBeUndefined();
    expect(stagesOf()).toEqual([["AWSPREVIOUS"], [], ["AWSCURRENT"]]);
    await expectCode(source.stage("absent_name", NEW), "NOT_FOUND");
  });

  it("a promote cut between its two calls (version both current and pending) finishes when promoted again", async () => {
    await setup();
    await source.stage(name, NEW);
    // The AWSCURRENT move is carried out (its reply held back), then the AWSPENDING removal fails with 5xx past the retries.
    const before = fake.server.calls("UpdateSecretVersionStage");
    fake.server.delayReplies.push(0, 300);
    const failing = source.promote(name, 2);
    const fault = { status: 500, body: JSON.stringify({ __type: "InternalServiceError", message: "An error occurred on the server side." }) };
    const deadline = Date.now() + 10_000;
    while (fake.server.calls("UpdateSecretVersionStage") === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
    fake.server.alwaysFault = fault;
    await expectCode(failing, "SOURCE_UNAVAILABLE");
    fake.server.alwaysFault = undefined;
    expect(stagesOf()).toEqual([["AWSPREVIOUS"], ["AWSCURRENT", "AWSPENDING"]]);
    expect(await source.getPending(name)).toMatchObject({ version: 2 });
    expect(await source.promote(name, 2)).toMatchObject({ value: NEW, version: 2 });
    expect(stagesOf()).toEqual([["AWSPREVIOUS"], ["AWSCURRENT"]]);
  });

  it("a retried stage (reply lost) makes one version with one token", async () => {
    await setup({ timeout: 300 });
    const puts = fake.server.calls("PutSecretValue");
    const lists = fake.server.calls("ListSecretVersionIds");
    fake.server.delayReplies.push(0, 1500); // the listing, then the PutSecretValue stored but answered too late
    await source.stage(name, NEW);
    expect(fake.server.calls("ListSecretVersionIds") - lists).toBe(2);
    const sent = fake.server.requests.filter((r) => r.headers["x-amz-target"] === "secretsmanager.PutSecretValue").slice(puts);
    expect(sent.length, "retried").toBe(2);
    expect(new Set(sent.map((r) => (r.json as { ClientRequestToken: string }).ClientRequestToken)).size).toBe(1);
    expect(stagesOf()).toEqual([["AWSCURRENT"], ["AWSPENDING"]]);
  });

  it("a stage that loses AWSPENDING to another writer between its check and its write refuses (ROTATION_IN_PROGRESS)", async () => {
    await setup();
    const other = new SecretsManagerClient({ endpoint: fake.url, maxAttempts: 1 });
    const puts = fake.server.calls("PutSecretValue");
    fake.server.delayReplies.push(0, 500); // our PutSecretValue is stored; its reply waits while the other writer stages
    const ours = source.stage(name, NEW);
    const deadline = Date.now() + 10_000;
    while (fake.server.calls("PutSecretValue") === puts && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
    await other.send(new PutSecretValueCommand({ SecretId: `${PREFIX}${name}`, SecretString: "theirs-CANARY", VersionStages: ["AWSPENDING"] }));
    other.destroy();
    await expectCode(ours, "ROTATION_IN_PROGRESS", [OLD, NEW, "theirs-CANARY"]);
    expect((await source.getPending(name))?.value).toBe("theirs-CANARY");
  });

  it("5xx and throttling past the retries are SOURCE_UNAVAILABLE for getPending, stage, promote and discard: never 'no pending'", async () => {
    await setup();
    await source.stage(name, NEW);
    const storm = [
      { status: 503, body: JSON.stringify({ __type: "ServiceUnavailable", message: "unavailable" }) },
      { status: 400, body: JSON.stringify({ __type: "ThrottlingException", message: "Rate exceeded" }) },
    ];
    for (const fault of storm) {
      fake.server.alwaysFault = fault;
      await expectCode(source.getPending(name), "SOURCE_UNAVAILABLE");
      await expectCode(source.stage(name, NEW), "SOURCE_UNAVAILABLE");
      await expectCode(source.promote(name, 2), "SOURCE_UNAVAILABLE");
      await expectCode(source.discardPending(name, 2), "SOURCE_UNAVAILABLE");
      fake.server.alwaysFault = undefined;
    }
    expect(stagesOf()).toEqual([["AWSCURRENT"], ["AWSPENDING"]]);
  });

  it("with offlineCache: getPending never falls back to a copy; promote keeps the new current as the copy", async () => {
    const root = mkdtempSync(join(tmpdir(), "hush-aws-stage-"));
    try {
      mkdirSync(join(root, ".secrets"), { mode: 0o700 });
      writeFileSync(join(root, ".secrets", ".encryption.key"), generateFernetKey(), { mode: 0o600 });
      await setup({ cacheTtl: 0, offlineCache: { maxStaleness: 3_600_000 } }, root);
      expect((await source.get(name))?.value).toBe(OLD);
      await source.stage(name, NEW);
      fake.server.alwaysFault = { status: 503, body: JSON.stringify({ __type: "ServiceUnavailable", message: "unavailable" }) };
      expect((await source.get(name))?.stale, "a read is served from the copy").toBe(true);
      await expectCode(source.getPending(name), "SOURCE_UNAVAILABLE");
      fake.server.alwaysFault = undefined;
      await source.promote(name, 2);
      fake.server.alwaysFault = { status: 503, body: JSON.stringify({ __type: "ServiceUnavailable", message: "unavailable" }) };
      expect(await source.get(name), "the copy is the promoted value").toMatchObject({ value: NEW, stale: true });
    } finally {
      fake.server.alwaysFault = undefined;
      await source.dispose?.();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("the bare source (no cache) has the capability; a property or pinned version is READ_ONLY", async () => {
    name = `key_${++n}`;
    fake.put(`${PREFIX}${name}`, OLD);
    const bare = createAwsSource({ endpoint: fake.url, path: PREFIX, remoteRefs: { pinned: { key: `${PREFIX}${name}`, property: "field" } } });
    try {
      expect((await bare.stage!(name, NEW)).version).toBe(2);
      await expectCode(bare.stage!("pinned", NEW), "READ_ONLY");
    } finally {
      await bare.dispose?.();
    }
  });
});
