// `node --import hush/config app.js` (dist/config.js): loads the secrets into process.env following
// hush.yaml. Spawns real Node processes against the built package.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { CANARY, hushIn, tempProject } from "../config/temp-project.js";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const REGISTER = join(REPO, "dist", "config.js");
const sha = (s: string) => createHash("sha256").update(s).digest("hex");
/** The child prints a hash of each variable (or "-"), so no value travels through argv or stdout. */
const PROBE = `const {createHash}=await import("node:crypto");for(const v of ["OPENAI_API_KEY","FROM_DOTENV","DB_URL"]){const x=process.env[v];console.log(v+"="+(x===undefined?"-":createHash("sha256").update(x).digest("hex")))}`;

function runApp(cwd: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, ["--import", REGISTER, "--input-type=module", "-e", PROBE], { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME, ...env }, encoding: "utf8" });
  const seen = Object.fromEntries(r.stdout.trim().split("\n").filter(Boolean).map((l) => l.split("=") as [string, string]));
  expect(r.stdout + r.stderr).not.toContain(CANARY);
  return { code: r.status, seen, stderr: r.stderr };
}

// dist/ is built once for the whole run by test/global-setup.ts.

describe("node --import hush/config", () => {
  it("follows hush.yaml: its environment and chain (a .env outside the chain is not read)", async () => {
    const dir = tempProject({
      "hush.yaml": "version: 1\nenvironment: staging\nsources:\n  - type: env\n  - type: local\nsecrets:\n  db_url: { required: false }\n",
      ".env": `FROM_DOTENV=${CANARY}\n`,
    });
    await hushIn(dir, ["init"]);
    expect((await hushIn(dir, ["set", "openai_api_key"], { stdin: CANARY })).code).toBe(0);
    const r = runApp(dir);
    expect(r.code).toBe(0);
    expect(r.seen).toEqual({ OPENAI_API_KEY: sha(CANARY), FROM_DOTENV: "-", DB_URL: "-" });
    expect(r.stderr).toBe("");
  });

  it("the default chain without hush.yaml; existing variables win", async () => {
    const dir = tempProject({ ".env": `FROM_DOTENV=${CANARY}\n` });
    await hushIn(dir, ["init", "--key-provider", "file"]);
    await hushIn(dir, ["set", "openai_api_key"], { stdin: CANARY });
    writeFileSync(join(dir, "hush.yaml"), "# only comments\n");
    const r = runApp(dir, { OPENAI_API_KEY: "from-parent" });
    expect(r.seen).toEqual({ OPENAI_API_KEY: sha("from-parent"), FROM_DOTENV: sha(CANARY), DB_URL: "-" });
  });

  it("a missing required secret is reported by name; HUSH_STRICT=1 stops start-up", async () => {
    const dir = tempProject({ "hush.yaml": "version: 1\nsources: [{ type: env }, { type: dotenv }]\nsecrets:\n  db_url: { required: true }\n", ".env": `OPENAI_API_KEY=${CANARY}\n` });
    const lax = runApp(dir);
    expect(lax.code).toBe(0);
    expect(lax.stderr).toContain('Secret "db_url" was not found');
    expect(lax.seen.OPENAI_API_KEY).toBe(sha(CANARY));
    const strict = runApp(dir, { HUSH_STRICT: "1" });
    expect(strict.code).not.toBe(0);
    expect(strict.stderr).toContain("could not be resolved (HUSH_STRICT=1): db_url");
  });

  it("an invalid hush.yaml stops start-up with the path of the problem, never a pasted value", async () => {
    const dir = tempProject({ "hush.yaml": `version: 1\nsources:\n  - type: env\n    options: { token: ${CANARY} }\n` });
    const r = runApp(dir);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("sources[0].options.token: looks like a credential");
  });
});
