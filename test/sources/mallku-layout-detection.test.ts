// Which layout a `.secrets/` folder is, in the default chain (issue 10): the Python layout has no
// environments, so another environment never writes the Python app's file; and a folder holding
// only `.encryption.key` with no hush.yaml is a Python app's that has stored nothing yet.
import { afterEach, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSecretsManager } from "../../src/manager.js";
import { createKeyFile } from "../../src/crypto/key-file.js";
import { runHush } from "../helpers/cli.js";
import { privateMallkuCopy, pythonGetSecret, pythonReadMallku } from "../helpers/mallku.js";

const temps: string[] = [];
afterEach(() => {
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
});

const CANARY = ["layout-canary-", "Zq81mWx4Rt"].join("");
const CONSOLIDATED = "mallku-secrets.json.encrypted";

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME, ...extra };
}

describe("a Python-made .secrets/ has no environments", () => {
  it("--env prod set is refused until prod has its own key, and never writes the Python file; dev still does", async () => {
    const dir = privateMallkuCopy(temps);
    const project = join(dir, "..");
    const before = readFileSync(join(dir, CONSOLIDATED));
    const refused = await runHush(["--env", "prod", "set", "prod_only", "-C", project], { stdin: CANARY, env: env() });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/no environments/);
    expect(refused.stderr).toMatch(/hush init --env prod/);
    expect(refused.stderr).not.toContain(CANARY);
    expect(readFileSync(join(dir, CONSOLIDATED))).toEqual(before);
    expect(existsSync(join(dir, "prod.key"))).toBe(false);

    // The explicit step: prod gets its own key, then its own store beside the Python file.
    createKeyFile(dir, "prod");
    const warnings: string[] = [];
    const prod = createSecretsManager({ secretsDir: dir, cwd: project, env: {}, environment: "prod", onWarning: (m) => warnings.push(m) });
    expect((await prod.set("prod_only", CANARY)).source).toBe("local");
    expect(warnings.join("\n")).toMatch(/Python \(Mallku\) layout, which has no environments/);
    expect(readFileSync(join(dir, CONSOLIDATED))).toEqual(before);
    expect(pythonGetSecret(dir, "prod_only")).toBeUndefined();
    expect(await prod.get("ascii_api_key")).toBeUndefined(); // dev's (the Python app's) values are not prod's

    const dev = createSecretsManager({ secretsDir: dir, cwd: project, env: {}, onWarning: () => undefined });
    expect(await dev.get("prod_only")).toBeUndefined();
    expect((await dev.set("dev_value", "dev-1234")).source).toBe("mallku");
    expect(pythonGetSecret(dir, "dev_value")).toBe(JSON.stringify("dev-1234"));
  });
});

describe("a folder holding only .encryption.key", () => {
  function keyOnlyProject(): { project: string; dir: string } {
    const project = realpathSync(mkdtempSync(join(tmpdir(), "hush-keyonly-")));
    temps.push(project);
    const dir = join(project, ".secrets");
    mkdirSync(dir, { mode: 0o700 });
    createKeyFile(dir, "dev");
    return { project, dir };
  }

  it("with no hush.yaml is a Python app's: hush set writes the Python layout, which Python reads, and says so", async () => {
    const { project, dir } = keyOnlyProject();
    const r = await runHush(["set", "OPENAI_API_KEY", "-C", project], { stdin: CANARY, env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/holds only \.encryption\.key/);
    expect(r.stderr).not.toContain(CANARY);
    expect(existsSync(join(dir, "dev.store"))).toBe(false);
    expect(pythonReadMallku(dir)).toEqual({ OPENAI_API_KEY: JSON.stringify(CANARY) });
    expect(pythonGetSecret(dir, "OPENAI_API_KEY")).toBe(JSON.stringify(CANARY));
  });

  it("after hush init (hush.yaml written) stays a hush store", async () => {
    const { project, dir } = keyOnlyProject();
    expect((await runHush(["init", "-C", project], { env: env() })).code).toBe(0);
    const r = await runHush(["set", "openai_api_key", "-C", project], { stdin: CANARY, env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(dir)).toContain("dev.store");
    expect(existsSync(join(dir, CONSOLIDATED))).toBe(false);
  });

  it("the library without a config keeps its default (a hush store)", async () => {
    const { project, dir } = keyOnlyProject();
    const hush = createSecretsManager({ secretsDir: dir, cwd: project, env: {} });
    expect((await hush.set("x_value", "v-1234")).source).toBe("local");
  });
});
