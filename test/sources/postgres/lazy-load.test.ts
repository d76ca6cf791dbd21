// `pg` is loaded only by a project that uses the postgres source: `run`, `get` and `--help` of
// the built CLI on a local-store project never resolve it (a module hook records every `pg`
// import). And hush.yaml refuses a connection string with a password, without echoing it.
import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { NODE, REPO } from "../../helpers/run-binary.js";
import { TEST_DATABASE_URL } from "../../helpers/postgres.js";

const dir = realpathSync(mkdtempSync(join(tmpdir(), "hush-pg-lazy-")));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const LOG = join(dir, "pg-imports.log");
const HOOKS = join(dir, "hooks.mjs");
const PRELOAD = join(dir, "preload.mjs");
writeFileSync(HOOKS, `import { appendFileSync } from "node:fs";\nexport async function resolve(spec, ctx, next) { if (spec === "pg" || spec.startsWith("pg/")) appendFileSync(${JSON.stringify(LOG)}, spec + "\\n"); return next(spec, ctx); }\n`);
writeFileSync(PRELOAD, `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(HOOKS).href)});\n`);

function hush(cwd: string, args: string[], input?: string, env: NodeJS.ProcessEnv = {}) {
  rmSync(LOG, { force: true });
  const r = spawnSync(NODE, ["--import", PRELOAD, join(REPO, "dist/cli.js"), ...args], { cwd, input, env: { PATH: process.env.PATH, HOME: dir, ...env }, encoding: "utf8", timeout: 60_000 });
  return { ...r, loaded: existsSync(LOG) ? readFileSync(LOG, "utf8") : "" };
}

describe("pg is loaded lazily", () => {
  it("run, get and --help on a local-store project never load pg; a postgres project does", () => {
    const local = join(dir, "local");
    spawnSync("mkdir", ["-p", local]);
    writeFileSync(join(local, "hush.yaml"), "version: 1\nsources:\n  - type: env\n  - type: local\n");
    expect(hush(local, ["init"]).status).toBe(0);
    expect(hush(local, ["set", "app_key"], "local-CANARY").status).toBe(0);
    for (const args of [["get", "app_key"], ["run", "--", NODE, "-e", ""], ["--help"], ["get", "--help"], ["run", "--help"], ["list"]]) {
      const r = hush(local, args);
      expect(r.status, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      expect(r.loaded, `hush ${args.join(" ")} loaded pg`).toBe("");
    }
    const pgProject = join(dir, "pg");
    spawnSync("mkdir", ["-p", pgProject]);
    writeFileSync(join(pgProject, "hush.yaml"), "version: 1\nsources:\n  - type: postgres\n    options: { schema: hush_lazy_probe_none }\n");
    const r = hush(pgProject, ["get", "app_key"], undefined, { HUSH_DATABASE_URL: TEST_DATABASE_URL });
    expect(r.loaded, "the control: a postgres project loads pg (the hook works)").toContain("pg");
  });

  it("hush.yaml with a password in a connection string is refused, and the password is not echoed", () => {
    const p = join(dir, "pw");
    spawnSync("mkdir", ["-p", p]);
    for (const key of ["url", "readUrl", "listenUrl"]) {
      writeFileSync(join(p, "hush.yaml"), `version: 1\nsources:\n  - type: postgres\n    options: { ${key}: "postgres://app:CANARYpw42@db:5432/prod" }\n`);
      const r = hush(p, ["doctor"]);
      expect(r.status, key).not.toBe(0);
      expect(r.stdout + r.stderr).toMatch(new RegExp(`${key}.*(password|credential)`));
      expect(r.stdout + r.stderr).not.toContain("CANARYpw42");
    }
  });
});
