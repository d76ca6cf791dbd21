/**
 * The built CLI with a `type: gcp` source in hush.yaml, against the fake Secret Manager: get, run,
 * the mapping model, doctor's live check, and a denied secret (exit code, no value anywhere).
 * Credentials reach the SDK as Application Default Credentials: GOOGLE_APPLICATION_CREDENTIALS.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { CANARY, expectNoCanary, hushIn, tempProject } from "../config/temp-project.js";
import { baseEnv, buildCli, REPO, runHushBinary } from "../helpers/run-binary.js";
import { startGcpSecretManagerFake, type GcpSecretManagerFake } from "../fakes/gcp-secret-manager.js";

let fake: GcpSecretManagerFake;
beforeAll(async () => {
  fake = await startGcpSecretManagerFake({ projectId: "hush-test" });
  fake.seed("projects/hush-test", "app-openai_api_key", CANARY);
  fake.seed("projects/hush-test", "app-config", JSON.stringify({ url: `postgres://u:${CANARY}@db/app` }));
  fake.seed("projects/hush-test", "app-locked", CANARY);
  fake.denied.add("app-locked");
});
afterAll(async () => fake?.close());

function project(): { dir: string; env: NodeJS.ProcessEnv } {
  const yaml = ["version: 1", "audit: off", "sources:", "  - type: gcp", "    options:", "      project: hush-test", `      endpoint: ${fake.url}`, "      prefix: app-", "secrets:", "  database.url:", "    remote: { key: app-config, property: url }", ""].join("\n");
  const dir = tempProject({ "hush.yaml": yaml });
  writeFileSync(join(dir, "sa.json"), JSON.stringify(fake.account.json), { mode: 0o600 });
  return { dir, env: { GOOGLE_APPLICATION_CREDENTIALS: join(dir, "sa.json"), HUSH_ENV: "prod" } };
}

describe("hush with a gcp source", () => {
  it("get reads a secret and a JSON property; run injects them", async () => {
    const { dir, env } = project();
    const got = await hushIn(dir, ["get", "openai_api_key"], { env });
    expect(got.stderr).toBe("");
    expect(got.stdout.trim()).toBe(CANARY);
    const mapped = await hushIn(dir, ["get", "database.url"], { env });
    expect(mapped.stdout.trim()).toBe(`postgres://u:${CANARY}@db/app`);
    // The built CLI beside the repository's node_modules (where the optional SDK is installed).
    const script = "process.stdout.write(String(process.env.OPENAI_API_KEY === process.argv[1] && process.env.DATABASE_URL.includes(process.argv[1])))";
    const run = await runHushBinary(join(REPO, "dist/cli.js"), ["run", "--", process.execPath, "-e", script, CANARY], { cwd: dir, env: baseEnv(env) });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("true");
  });

  it("doctor shows the project, the identity and a sample read, without values", async () => {
    const { dir, env } = project();
    const r = await hushIn(dir, ["doctor", "--json"], { env });
    const json = JSON.parse(r.stdout) as { sources: { name: string; ok: boolean; detail: string }[] };
    const gcp = json.sources.find((s) => s.name === "gcp")!;
    expect(gcp.detail).toContain("project hush-test as hush-test@hush-test.iam.gserviceaccount.com; reachable");
    expectNoCanary(r);
  });

  it("without @google-cloud/secret-manager installed: MISSING_DEPENDENCY with the install command", async () => {
    const { dir, env } = project();
    const copy = buildCli(); // dist/ copied to a folder with no node_modules
    try {
      const r = await runHushBinary(copy.cli, ["get", "openai_api_key"], { cwd: dir, env: baseEnv(env) });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain("npm install @google-cloud/secret-manager");
      expect(r.stdout + r.stderr).not.toContain(CANARY);
    } finally {
      copy.cleanup();
    }
  });

  it("a denied secret fails with ACCESS_DENIED's exit code, never 'not found', and no value leaks", async () => {
    const { dir, env } = project();
    const r = await hushIn(dir, ["get", "locked"], { env });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/denied/);
    expect(r.stderr).not.toMatch(/not found/i);
    expectNoCanary(r);
  });
});
