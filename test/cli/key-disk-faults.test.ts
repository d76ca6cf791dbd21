/**
 * Key creation on a full or read-only disk (issue 11, FAULTS 10): a clear WRITE_FAILED with the
 * errno (exit 7, not "unexpected Error", 70) and no `.key.tmp-*` left behind, however many
 * tries. And a folder named like a leftover temp file does not block writes.
 */
import { afterEach, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { CANARY, tempProject } from "../config/temp-project.js";
import { baseEnv, NODE, REPO } from "../helpers/run-binary.js";
import { fillDisk, mountTmpfs, remountReadOnly, unmount } from "../helpers/tmpfs.js";

const CLI = join(REPO, "dist/cli.js");
let mount: string | undefined;
afterEach(() => {
  unmount(mount);
  mount = undefined;
});

function hush(cwd: string, args: string[], input = "") {
  const r = spawnSync(NODE, [CLI, ...args], { cwd, input, env: baseEnv(), timeout: 15_000, encoding: "utf8" });
  expect(r.stdout + r.stderr).not.toContain(CANARY);
  return { code: r.status, stderr: r.stderr };
}

const tempsIn = (dir: string) => readdirSync(dir).filter((f) => f.includes(".tmp-"));

describe("key creation on a failing disk", () => {
  it("full disk: `hush set` and `hush init` say ENOSPC (exit 7) and leave no temp file", (ctx) => {
    mount = mountTmpfs(ctx, tempProject(), 64);
    if (!mount) return;
    mkdirSync(join(mount, ".secrets"), { mode: 0o700 });
    fillDisk(mount);
    for (let i = 0; i < 3; i++) {
      const set = hush(mount, ["set", "api_token"], CANARY);
      expect(set.code).toBe(7);
      expect(set.stderr).toContain("ENOSPC");
      expect(set.stderr).not.toContain("unexpected");
    }
    const init = hush(mount, ["init"]);
    expect(init.code).toBe(7);
    expect(init.stderr).toContain("ENOSPC");
    expect(tempsIn(join(mount, ".secrets"))).toEqual([]);
  });

  it("read-only disk with the secrets folder in place: `hush init` says EROFS (exit 7)", (ctx) => {
    mount = mountTmpfs(ctx, tempProject(), 64);
    if (!mount) return;
    mkdirSync(join(mount, ".secrets"), { mode: 0o700 });
    remountReadOnly(mount);
    const init = hush(mount, ["init"]);
    expect(init.code).toBe(7);
    expect(init.stderr).toContain("EROFS");
    expect(init.stderr).not.toContain("unexpected");
  });

  it("a folder named like a dead writer's temp file does not block writes", () => {
    const dir = tempProject();
    expect(hush(dir, ["set", "a"], CANARY).code).toBe(0);
    mkdirSync(join(dir, ".secrets", ".dev.store.tmp-99999999-abcdef123456"), { mode: 0o700 });
    const r = hush(dir, ["set", "b"], CANARY);
    expect(r.stderr).toContain("stored b in local");
    expect(r.code).toBe(0);
  });
});
