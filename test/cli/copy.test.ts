/**
 * `hush copy` and `hush diff` (src/workflows/copy.ts) between the sources of one project:
 * .env (dotenv), the environment (env) and the local store; a failure in the middle of a copy
 * (a fake writable source registered for the test). No value is ever printed.
 */
import { describe, expect, it } from "vitest";
import { copySecrets, defineSourceType, diffSources, HushError, registerSourceType, reportProjectAccess, type SecretRecord } from "../../src/index.js";
import { CANARY, expectNoCanary, hushIn, tempProject } from "../config/temp-project.js";

const YAML = "version: 1\nsources:\n  - type: env\n  - type: dotenv\n  - type: local\n";
const ENV_FILE = `ALPHA=${CANARY}-alpha\nBETA=${CANARY}-beta\nGAMMA=${CANARY}-gamma\n`;

async function project(): Promise<string> {
  const dir = tempProject({ "hush.yaml": YAML, ".env": ENV_FILE });
  expect((await hushIn(dir, ["init"])).code).toBe(0);
  return dir;
}

describe("hush copy", () => {
  it("copies every name from dotenv to local, audited, and diff then finds them the same", async () => {
    const dir = await project();
    const r = await hushIn(dir, ["copy", "--from", "dotenv", "--to", "local", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ from: "dotenv", to: "local", dryRun: false, copied: ["alpha", "beta", "gamma"], conflicts: [], notCopied: [] });
    expectNoCanary(r);
    const d = await hushIn(dir, ["diff", "dotenv", "local", "--json"]);
    expect(d.code).toBe(0);
    expect(JSON.parse(d.stdout)).toEqual({ a: "dotenv", b: "local", onlyInA: [], onlyInB: [], differ: [], same: 3 });
    const again = await hushIn(dir, ["copy", "--from", "dotenv", "--to", "local"]);
    expect(again.stdout).toContain("copied 0 secrets from dotenv to local");
    expect(again.stdout).toContain("already the same in local: alpha, beta, gamma");
    const report = await reportProjectAccess({ cwd: dir });
    const alpha = report.find((x) => x.name === "alpha")!;
    expect(alpha.sources).toEqual(expect.arrayContaining(["dotenv", "local"]));
    expect(alpha.writes).toBe(1);
  });

  it("leaves values that differ in the target unless --overwrite; --dry-run and --names write nothing else", async () => {
    const dir = await project();
    expect((await hushIn(dir, ["set", "beta"], { stdin: `${CANARY}-other` })).code).toBe(0);
    const dry = await hushIn(dir, ["copy", "--from", "dotenv", "--to", "local", "--dry-run", "--json"]);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, copied: ["alpha", "gamma"], conflicts: ["beta"] });
    const diff = await hushIn(dir, ["diff", "dotenv", "local"]);
    expect(diff.code).toBe(1);
    expect(diff.stdout).toContain("only in dotenv: alpha");
    expect(diff.stdout).toContain("differs: beta");
    expectNoCanary(diff);
    const some = await hushIn(dir, ["copy", "--from", "dotenv", "--to", "local", "--names", "alpha,beta"]);
    expect(some.stdout).toContain("copied 1 secret from dotenv to local: alpha");
    expect(some.stdout).toContain("differ in local, left alone (--overwrite replaces them): beta");
    const over = await hushIn(dir, ["copy", "--from", "dotenv", "--to", "local", "--overwrite", "--json"]);
    expect(JSON.parse(over.stdout)).toMatchObject({ copied: ["beta", "gamma"], unchanged: ["alpha"] });
    expect(JSON.parse((await hushIn(dir, ["diff", "dotenv", "local", "--json"])).stdout)).toMatchObject({ differ: [], same: 3 });
    for (const x of [dry, some, over]) expectNoCanary(x);
  });

  it("copies from the environment, and refuses a read-only target or an unknown source by name", async () => {
    const dir = await project();
    const fromEnv = await hushIn(dir, ["copy", "--from", "env", "--to", "local", "--names", "delta", "--json"], { env: { DELTA: `${CANARY}-delta` } });
    expect(JSON.parse(fromEnv.stdout)).toMatchObject({ copied: ["delta"] });
    const ro = await hushIn(dir, ["copy", "--from", "local", "--to", "dotenv"]);
    expect(ro.code).not.toBe(0);
    expect(ro.stderr).toContain("The dotenv source cannot be written");
    const unknown = await hushIn(dir, ["diff", "local", "vault"]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('No source named "vault" in the chain (it has: env, dotenv, local)');
    for (const x of [fromEnv, ro, unknown]) expectNoCanary(x);
  });

  it("stops at a failing batch: the batches before it stay copied, the rest are listed, the origin is unchanged", async () => {
    const store = new Map<string, string>();
    let calls = 0;
    const record = (name: string, value: string): SecretRecord => ({ name, value, source: "flaky" });
    registerSourceType(defineSourceType({
      type: "flaky-test",
      summary: "a writable in-memory source whose second batch write fails (test)",
      options: {},
      create: () => ({
        name: "flaky",
        get: async (n: string) => (store.has(n) ? record(n, store.get(n)!) : undefined),
        list: async () => [...store.keys()],
        set: async (n: string, v: string) => (store.set(n, v), record(n, v)),
        delete: async (n: string) => store.delete(n),
        setMany: async (entries: readonly (readonly [string, string])[]) => {
          if (++calls === 2) throw new HushError("WRITE_FAILED", "the flaky source failed this batch (test)");
          return entries.map(([n, v]) => (store.set(n, v), record(n, v)));
        },
      }),
    }));
    const dir = tempProject({ "hush.yaml": `${YAML}  - type: flaky-test\n`, ".env": `${ENV_FILE}DELTA=${CANARY}-d\nEPSILON=${CANARY}-e\n` });
    expect((await hushIn(dir, ["init"])).code).toBe(0);
    const progress: number[] = [];
    const r = await copySecrets({ cwd: dir, from: "dotenv", to: "flaky", batchSize: 2, onProgress: (p) => progress.push(p.done) });
    expect(r.copied).toEqual(["alpha", "beta"]);
    expect(r.notCopied).toEqual(["gamma", "delta", "epsilon"]);
    expect(r.failure).toMatchObject({ code: "WRITE_FAILED" });
    expect(progress).toEqual([2, 4]); // no progress for the batches not tried
    expect([...store.keys()]).toEqual(["alpha", "beta"]);
    expect(JSON.stringify(r)).not.toContain(CANARY);
    const d = await diffSources({ cwd: dir, a: "dotenv", b: "flaky" });
    expect(d).toMatchObject({ onlyInA: ["delta", "epsilon", "gamma"], onlyInB: [], same: 2 });
    // Re-run once the cause is gone (the fake fails only its second batch write): the rest is copied.
    const cli = await hushIn(dir, ["copy", "--from", "dotenv", "--to", "flaky", "--json"]);
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ copied: ["gamma", "delta", "epsilon"], unchanged: ["alpha", "beta"] });
    expectNoCanary(cli);
  });
});
