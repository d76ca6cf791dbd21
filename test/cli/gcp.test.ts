/**
 * The built CLI with a `type: gcp` source in hush.yaml, against the fake Secret Manager: get, run,
 * the mapping model, doctor's live check, and a denied secret (exit code, no value anywhere).
 * Credentials reach the SDK as Application Default Credentials: GOOGLE_APPLICATION_CREDENTIALS.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
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
    fake.seed("projects/hush-test", "app-locked", CANARY);
    fake.denied.add("app-locked");
    try {
      const r = await hushIn(dir, ["get", "locked"], { env });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/denied/);
      expect(r.stderr).not.toMatch(/not found/i);
      expectNoCanary(r);
      // hush run lists it (listing is project-wide) but may not read it: a warning naming it, no value.
      const run = await runHushBinary(join(REPO, "dist/cli.js"), ["run", "--", process.execPath, "-e", "0"], { cwd: dir, env: baseEnv(env) });
      expect(run.stderr).toContain("locked");
      expect(run.stdout + run.stderr).not.toContain(CANARY);
    } finally {
      fake.denied.delete("app-locked");
      fake.secrets.delete("projects/hush-test/secrets/app-locked");
    }
  });
});

describe("a project without Google in it never loads a Google SDK", () => {
  it("set, run, get and --help under a module hook that refuses @google-cloud/*; the hook does refuse it with a gcp source", () => {
    const dir = tempProject();
    // A resolve hook (node:module register) under which any import of @google-cloud/* fails.
    writeFileSync(join(dir, "refuse-google.mjs"), 'export async function resolve(s, c, next) { if (s.startsWith("@google-cloud/")) throw new Error("Google SDK imported: " + s); return next(s, c); }\n');
    writeFileSync(join(dir, "register.mjs"), `import { register } from "node:module";\nregister(${JSON.stringify(new URL(`file://${join(dir, "refuse-google.mjs")}`).href)});\n`);
    const hush = (args: string[], input?: string) =>
      spawnSync(process.execPath, ["--import", join(dir, "register.mjs"), join(REPO, "dist/cli.js"), ...args], { cwd: dir, env: { PATH: process.env.PATH, HOME: dir, XDG_CONFIG_HOME: join(dir, ".config") }, input, encoding: "utf8" });
    expect(hush(["set", "plain_key"], `local-${CANARY}`).status).toBe(0);
    const run = hush(["run", "--", process.execPath, "-e", `process.exit(process.env.PLAIN_KEY === ${JSON.stringify(`local-${CANARY}`)} ? 0 : 9)`]);
    expect(run.stderr).not.toContain("Google SDK imported");
    expect(run.status).toBe(0);
    expect(hush(["get", "plain_key"]).stdout.trim()).toBe(`local-${CANARY}`);
    expect(hush(["--help"]).status).toBe(0);
    writeFileSync(join(dir, "hush.yaml"), `version: 1\nsources:\n  - type: gcp\n    options: { project: hush-test, endpoint: "${fake.url}" }\n`);
    const withGcp = hush(["get", "plain_key"]);
    expect(withGcp.status).not.toBe(0);
    expect(withGcp.stderr).toContain("npm install @google-cloud/secret-manager");
    expect(withGcp.stdout + withGcp.stderr).not.toContain(CANARY);
  });
});
