/**
 * `hush rotate` (the library's rotateSecret) on an `aws` source, against the Secrets Manager fake
 * through the real SDK: the new value waits as AWSPENDING while AWSCURRENT is unchanged, finish
 * moves AWSCURRENT (AWSPREVIOUS = the old version), a second rotation during the first is refused,
 * and an unreachable AWS fails the rotation without a value and without "no pending" ever read.
 * The SIGKILL-then-resume case is in crash-resume.test.ts.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rotateSecret } from "../../src/workflows/rotate.js";
import { registerRotatorType } from "../../src/rotation/registry.js";
import { defineRotatorType } from "../../src/rotation/rotator.js";
import { HushError } from "../../src/errors.js";
import { generateFernetKey } from "../../src/crypto/fernet.js";
import { startAwsSecretsManagerFake, type AwsSecretsManagerFake } from "../fakes/aws-secrets-manager.js";

const TEST_ENV: Record<string, string> = { AWS_ACCESS_KEY_ID: "AKIDTESTFAKE0000AWS1", AWS_SECRET_ACCESS_KEY: "test-secret-access-key", AWS_EC2_METADATA_DISABLED: "true", AWS_REGION: "us-east-1" };
const saved: Record<string, string | undefined> = {};
const OLD = ["old-", "aws-rotate-canary-", "4Rt"].join("");
const SECRET_ID = "app/dev/api_token";
const UNAVAILABLE = { status: 503, body: JSON.stringify({ __type: "ServiceUnavailable", message: "Service unavailable" }) };

let fake: AwsSecretsManagerFake;
let root: string;
let dir: string;
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
beforeEach(() => {
  dir = join(root, `p${++n}`);
  mkdirSync(join(dir, ".secrets"), { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, ".secrets", ".encryption.key"), generateFernetKey(), { mode: 0o600 });
  writeFileSync(join(dir, "hush.yaml"), `version: 1\nsources:\n  - type: aws\n    options: { endpoint: "${fake.url}", path: "app/{env}", maxAttempts: 2 }\n`);
  fake.secrets.delete(SECRET_ID);
  fake.put(SECRET_ID, OLD);
});
afterEach(() => {
  fake.server.alwaysFault = undefined;
  fake.server.faults.length = 0;
});

const versionsOf = () => fake.secrets.get(SECRET_ID)!.versions;
const stagesOf = () => versionsOf().map((v) => [...v.stages].sort());

describe("hush rotate on the aws source", () => {
  it("random rotator: pending staged while AWSCURRENT is unchanged, then promoted; AWSPREVIOUS is the old version", async () => {
    const seen: string[][][] = [];
    const progress: string[] = [];
    const result = await rotateSecret({
      cwd: dir,
      name: "api_token",
      graceMs: 0,
      rotator: { type: "random", options: {} },
      onProgress: (line) => {
        progress.push(line);
        if (line.startsWith("create:")) {
          seen.push(stagesOf());
          expect(versionsOf().find((v) => v.stages.includes("AWSCURRENT"))!.string, "current unchanged until finish").toBe(OLD);
        }
      },
    });
    expect(seen).toEqual([[["AWSCURRENT"], ["AWSPENDING"]]]);
    expect(result).toMatchObject({ source: "aws", rotator: "random", version: 2, previousVersion: 1, resumed: false });
    expect(stagesOf()).toEqual([["AWSPREVIOUS"], ["AWSCURRENT"]]);
    const [previous, current] = versionsOf();
    expect(previous!.string).toBe(OLD);
    expect(current!.string).toMatch(/^[A-Za-z0-9]{40}$/);
    const shown = progress.join("\n") + JSON.stringify(result);
    expect(shown).not.toContain(OLD);
    expect(shown).not.toContain(current!.string);
  });

  it("a second rotation while the first is between create and finish is ROTATION_IN_PROGRESS; the first then finishes", async () => {
    let release!: () => void;
    let started!: () => void;
    const inSet = new Promise<void>((r) => (started = r));
    const gate = new Promise<void>((r) => (release = r));
    const off = registerRotatorType(defineRotatorType({ type: "test-held", summary: "waits in set (tests)", options: {}, create: () => ({ create: async () => "held-CANARY-value", set: async () => (started(), gate) }) }));
    try {
      const first = rotateSecret({ cwd: dir, name: "api_token", graceMs: 0, rotator: { type: "test-held", options: {} } });
      await inSet;
      const second = await rotateSecret({ cwd: dir, name: "api_token", graceMs: 0, rotator: { type: "random", options: {} } }).catch((e: unknown) => e);
      expect(second).toBeInstanceOf(HushError);
      expect((second as HushError).code).toBe("ROTATION_IN_PROGRESS");
      expect(String(second)).not.toContain("held-CANARY-value");
      expect(stagesOf(), "the refused rotation wrote nothing").toEqual([["AWSCURRENT"], ["AWSPENDING"]]);
      release();
      expect(await first).toMatchObject({ version: 2, previousVersion: 1 });
      expect(versionsOf().find((v) => v.stages.includes("AWSCURRENT"))!.string).toBe("held-CANARY-value");
    } finally {
      release();
      off();
    }
  });

  it("a finish cut between moving AWSCURRENT and dropping AWSPENDING: --resume finishes, and revokes the OLD value (previous), never the new one", async () => {
    const revoked: string[] = [];
    let pushDelay = () => undefined as void;
    const off = registerRotatorType(
      defineRotatorType({
        type: "test-cut",
        summary: "finish cut half-way (tests)",
        options: {},
        create: () => ({ create: async () => "cut-CANARY-value", test: async () => pushDelay(), revoke: async ({ value }) => void revoked.push(value) }),
      }),
    );
    try {
      const before = fake.server.calls("UpdateSecretVersionStage");
      // promote's listing, then its AWSCURRENT move carried out with the reply held back while AWS goes down.
      pushDelay = () => void fake.server.delayReplies.push(0, 300);
      const cut = rotateSecret({ cwd: dir, name: "api_token", graceMs: 0, rotator: { type: "test-cut", options: {} } }).catch((e: unknown) => e);
      const deadline = Date.now() + 10_000;
      while (fake.server.calls("UpdateSecretVersionStage") === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
      fake.server.alwaysFault = UNAVAILABLE;
      expect(((await cut) as HushError).code).toBe("ROTATION_FAILED");
      fake.server.alwaysFault = undefined;
      pushDelay = () => undefined;
      expect(stagesOf()).toEqual([["AWSPREVIOUS"], ["AWSCURRENT", "AWSPENDING"]]);
      expect(revoked).toEqual([]);

      const resumed = await rotateSecret({ cwd: dir, name: "api_token", graceMs: 0, resume: true, rotator: { type: "test-cut", options: {} } });
      expect(resumed).toMatchObject({ resumed: true, version: 2, previousVersion: 1, revoke: "done" });
      expect(stagesOf()).toEqual([["AWSPREVIOUS"], ["AWSCURRENT"]]);
      expect(revoked).toEqual([OLD]);
    } finally {
      off();
    }
  });

  it("AWS unreachable at finish: ROTATION_FAILED (SOURCE_UNAVAILABLE), current and pending kept, --resume finishes; unreachable at the start: SOURCE_UNAVAILABLE, nothing staged", async () => {
    const off = registerRotatorType(defineRotatorType({ type: "test-breaks", summary: "AWS goes down after set (tests)", options: {}, create: () => ({ create: async () => "fresh-CANARY-value", set: async () => void (fake.server.alwaysFault = UNAVAILABLE) }) }));
    try {
      const failed = await rotateSecret({ cwd: dir, name: "api_token", graceMs: 0, rotator: { type: "test-breaks", options: {} } }).catch((e: unknown) => e);
      expect((failed as HushError).code).toBe("ROTATION_FAILED");
      expect(String(failed)).toContain("SOURCE_UNAVAILABLE");
      fake.server.alwaysFault = undefined;
      expect(stagesOf()).toEqual([["AWSCURRENT"], ["AWSPENDING"]]);

      fake.server.alwaysFault = UNAVAILABLE;
      const down = await rotateSecret({ cwd: dir, name: "api_token", graceMs: 0, resume: true, rotator: { type: "random", options: {} } }).catch((e: unknown) => e);
      expect((down as HushError).code, "a read that fails is never 'no pending'").toBe("SOURCE_UNAVAILABLE");
      fake.server.alwaysFault = undefined;

      const resumed = await rotateSecret({ cwd: dir, name: "api_token", graceMs: 0, resume: true, rotator: { type: "random", options: {} } });
      expect(resumed).toMatchObject({ resumed: true, version: 2, previousVersion: 1 });
      expect(versionsOf().find((v) => v.stages.includes("AWSCURRENT"))!.string).toBe("fresh-CANARY-value");
      for (const e of [failed, down]) {
        expect(String(e) + JSON.stringify(e)).not.toContain(OLD);
        expect(String(e) + JSON.stringify(e)).not.toContain("fresh-CANARY-value");
      }
    } finally {
      off();
    }
  });
});
