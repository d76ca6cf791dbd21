// The aws source's rotation stage against the Secrets Manager fake, through the real SDK. It runs
// the staging conformance suite (./conformance/staging.ts): stage keeps AWSCURRENT, promote moves
// AWSCURRENT / AWSPREVIOUS and drops AWSPENDING (a promote cut between its two calls finishes when
// promoted again), check-and-set refusals, a stage that loses AWSPENDING to a concurrent one
// refuses, failures (5xx, throttling) are SOURCE_UNAVAILABLE, never "no pending". Here besides:
// the PutSecretValue stage carries AWSPENDING, a retried stage makes one version, the offline
// cache, and the bare source.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateFernetKey } from "../../src/crypto/fernet.js";
import { PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { awsSourceType, createAwsSource } from "../../src/sources/aws.js";
import type { HushErrorCode } from "../../src/errors.js";
import type { SecretSource } from "../../src/types.js";
import { startAwsSecretsManagerFake, type AwsSecretsManagerFake } from "../fakes/aws-secrets-manager.js";
import { describeStagingConformance, type StagingInstance, type StagingSource } from "./conformance/staging.js";
import { expectCode as expectCodeWithout } from "../helpers/expect-code.js";

const TEST_ENV: Record<string, string> = { AWS_ACCESS_KEY_ID: "AKIDTESTFAKE0000AWS1", AWS_SECRET_ACCESS_KEY: "test-secret-access-key", AWS_EC2_METADATA_DISABLED: "true", AWS_REGION: "us-east-1" };
const saved: Record<string, string | undefined> = {};
const PREFIX = "app/dev/";
const OLD = ["old-", "stage-canary-", "7Hk"].join("");
const NEW = ["new-", "stage-canary-", "2Zp"].join("");
const UNAVAILABLE = { status: 503, body: JSON.stringify({ __type: "ServiceUnavailable", message: "unavailable" }) };
const THROTTLED = { status: 400, body: JSON.stringify({ __type: "ThrottlingException", message: "Rate exceeded" }) };

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

const OPTIONS = { maxAttempts: 2, cacheTtl: 60_000, timeout: 10_000, recoveryWindowDays: 30 };
const stagesIn = (secretId: string) => fake.secrets.get(secretId)!.versions.map((v) => [...v.stages].sort());
/** Polls (bounded) until the fake has received one more `op` call than `before`. */
async function untilCalled(op: string, before: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (fake.server.calls(op) === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
}

describeStagingConformance("aws", {
  async create(): Promise<StagingInstance> {
    const path = `stage${++n}/{env}`; // a fresh prefix per instance: `stage<n>/dev/<name>`
    const prefix = `stage${n}/dev/`;
    const context = { root: "/nonexistent", secretsDir: "/nonexistent/.secrets", environment: "dev", onWarning: () => undefined };
    const made: SecretSource[] = [];
    const open = async (cacheTtl: number) => {
      const s = (await awsSourceType.create({ endpoint: fake.url, path, ...OPTIONS, cacheTtl }, context)) as StagingSource;
      made.push(s);
      return s;
    };
    return {
      source: await open(OPTIONS.cacheTtl), // as hush.yaml builds it: behind the cache
      another: () => open(0),
      seed: async (name, value) => void fake.put(`${prefix}${name}`, value),
      replyCanBeLost: true,
      backend: {
        state: (name) => stagesIn(`${prefix}${name}`),
        expected: {
          staged: [["AWSCURRENT"], ["AWSPENDING"]],
          promoted: [["AWSPREVIOUS"], ["AWSCURRENT"]],
          discarded: [["AWSCURRENT"], []],
          overtakenDiscarded: [["AWSPREVIOUS"], [], ["AWSCURRENT"]],
          cut: [["AWSPREVIOUS"], ["AWSCURRENT", "AWSPENDING"]],
          raced: [["AWSCURRENT"], [], ["AWSPENDING"]],
        },
        writes: () => fake.server.calls("PutSecretValue") + fake.server.calls("UpdateSecretVersionStage"),
      },
      async cutPromote(name, version) {
        // The AWSCURRENT move is carried out (its reply held back), then the AWSPENDING removal fails with 5xx past the retries.
        const before = fake.server.calls("UpdateSecretVersionStage");
        fake.server.delayReplies.push(0, 300);
        const failing = made[0]!.promote!(name, version).catch((e: unknown) => e);
        await untilCalled("UpdateSecretVersionStage", before);
        fake.server.alwaysFault = { status: 500, body: JSON.stringify({ __type: "InternalServiceError", message: "An error occurred on the server side." }) };
        const e = await failing;
        fake.server.alwaysFault = undefined;
        return e;
      },
      async raceStage(name, ours, theirs) {
        // Our PutSecretValue is stored; its reply waits while another writer stages with AWSPENDING (AWS moves the label).
        const other = new SecretsManagerClient({ endpoint: fake.url, maxAttempts: 1 });
        const puts = fake.server.calls("PutSecretValue");
        fake.server.delayReplies.push(0, 500);
        const outcome = ours().then(
          () => undefined,
          (e: unknown) => e,
        );
        await untilCalled("PutSecretValue", puts);
        await other.send(new PutSecretValueCommand({ SecretId: `${prefix}${name}`, SecretString: theirs, VersionStages: ["AWSPENDING"] }));
        other.destroy();
        return { error: await outcome, pending: theirs };
      },
      unavailable: {
        faults: { "503 ServiceUnavailable": () => void (fake.server.alwaysFault = UNAVAILABLE), ThrottlingException: () => void (fake.server.alwaysFault = THROTTLED) },
        heal: () => void (fake.server.alwaysFault = undefined),
      },
      async cleanup() {
        fake.server.alwaysFault = undefined;
        fake.server.delayReplies.length = 0;
        for (const s of made) await s.dispose?.();
      },
    };
  },
}, {
  skips: {
    concurrentStages: "AWS has no lock: two stages racing past the listing both write, and the listing after the write tells the one that lost AWSPENDING; raceStage drives that window step by step",
  },
});

/** A fresh secret `name` holding OLD, and the source (as hush.yaml builds it: behind the cache). */
async function setup(options: Partial<Parameters<typeof awsSourceType.create>[0]> = {}, root = "/nonexistent"): Promise<void> {
  name = `key_${++n}`;
  fake.put(`${PREFIX}${name}`, OLD);
  const made = await awsSourceType.create({ endpoint: fake.url, path: "app/{env}", ...OPTIONS, ...options }, { root, secretsDir: join(root, ".secrets"), environment: "dev", onWarning: () => undefined });
  source = made as typeof source;
}

const stagesOf = () => stagesIn(`${PREFIX}${name}`);

const expectCode = (p: Promise<unknown>, code: HushErrorCode, values: readonly string[] = [OLD, NEW]) => expectCodeWithout(p, code, values);

describe("aws source: rotation stage on AWS's labels", () => {
  it("stage is one PutSecretValue with VersionStages [AWSPENDING] (AWS's own label), AWSCURRENT left where it was", async () => {
    await setup();
    const puts = fake.server.requests.filter((r) => r.headers["x-amz-target"] === "secretsmanager.PutSecretValue").length;
    await source.stage(name, NEW);
    const put = fake.server.requests.filter((r) => r.headers["x-amz-target"] === "secretsmanager.PutSecretValue").slice(puts);
    expect(put.map((r) => (r.json as { VersionStages?: string[] }).VersionStages)).toEqual([["AWSPENDING"]]);
    expect(stagesOf()).toEqual([["AWSCURRENT"], ["AWSPENDING"]]);
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
