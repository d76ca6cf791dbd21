/**
 * A source type defined outside src/ (test/fixtures/plugin-source/source.mjs) registers itself
 * through the built public entry, a hush.yaml names it, and the built CLI resolves it in
 * `hush run` (the CLI's bundle has its own copy of the registry module: the registered types are
 * shared through globalThis).
 */
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { baseEnv, NODE, REPO } from "../helpers/run-binary.js";
import { spawnSync } from "node:child_process";

const FIXTURE = pathToFileURL(join(REPO, "test/fixtures/plugin-source/source.mjs")).href;
const CLI = join(REPO, "dist/cli.js");
const CANARY = "sk-canary-3c4d5e6f7a8b9c0d1e2f";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function project(yaml: string): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "hush-plugin-")));
  dirs.push(dir);
  writeFileSync(join(dir, "hush.yaml"), yaml);
  return dir;
}

function hush(cwd: string, args: string[], withPlugin = true) {
  const r = spawnSync(NODE, [...(withPlugin ? ["--import", FIXTURE] : []), CLI, ...args], { cwd, env: baseEnv(), encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("a source type registered by another package", () => {
  it("is named in hush.yaml and resolved by `hush run`", () => {
    const root = project("version: 1\nenvironment: staging\nsources:\n  - type: memo\n    options: { greeting: hi }\n  - type: env\n");
    const r = hush(root, ["run", "--", NODE, "-e", "process.stdout.write(process.env.GREETING ?? 'unset')"]);
    // No key yet (no `hush init`): the one line on stderr says the read could not be audited.
    expect(r.stderr.replace(/^hush: warning: audit: 1 access record was not written: no key file at .*\n/, "")).toBe("");
    expect(r.stdout).toBe("hi from memo (staging)");
    expect(r.code).toBe(0);
  });

  it("its options are validated against its schema, with paths; without the plug-in the type is unknown", () => {
    const root = project(`version: 1\nsources:\n  - type: env\n  - type: memo\n    options: { greting: hi, token: ${CANARY} }\n`);
    const r = hush(root, ["run", "--", NODE, "-e", "process.stdout.write('ran')"]);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain('sources[1].options.greting: unknown key; did you mean "greeting"?');
    expect(r.stderr).toContain("sources[1].options.token: looks like a credential");
    expect(r.stderr).not.toContain(CANARY);

    const plain = project("version: 1\nsources:\n  - type: memo\n");
    const without = hush(plain, ["run", "--", NODE, "-e", "process.stdout.write('ran')"], false);
    expect(without.code).not.toBe(0);
    expect(without.stdout).toBe("");
    expect(without.stderr).toContain('sources[0].type: unknown source type "memo"; known types: env, dotenv, local, mallku, vault, kubernetes.');
  });

  it("its failures are hush errors in `hush run` too (the bundle has its own HushError): a warning, or ACCESS_DENIED (8) with --strict, not a crash (70)", () => {
    const root = project("version: 1\nsources:\n  - type: memo\n    options: { deny: true }\n");
    const child = [NODE, "-e", "process.stdout.write(process.env.GREETING ?? 'unset')"];
    const lenient = hush(root, ["run", "--", ...child]);
    expect(lenient.stderr).toContain("greeting not injected: memo denied the read of greeting.");
    expect(lenient.stdout).toBe("unset");
    expect(lenient.code).toBe(0);
    const strict = hush(root, ["run", "--strict", "--", ...child]);
    expect(strict.stdout).toBe("");
    expect(strict.stderr).toContain("greeting (ACCESS_DENIED)");
    expect(strict.stderr).not.toContain("unexpected");
    expect(strict.code).toBe(8);
  });

  it("`hush doctor` (the other bundle) sees it too", () => {
    const root = project("version: 1\nsources:\n  - type: memo\n");
    const r = hush(root, ["doctor", "--json"]);
    const report = JSON.parse(r.stdout) as { sources: { name: string; ok: boolean }[] };
    expect(report.sources).toEqual([expect.objectContaining({ name: "memo", ok: true, summary: "values from an in-memory map (a test plug-in)" })]);
  });
});
