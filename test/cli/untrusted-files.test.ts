/**
 * Files hush must refuse before reading (issue 11; FAULTS 25, 28): a secrets folder or key
 * owned by another user (ssh's StrictModes, here as root), and a key, store, lock or
 * `--from-file` that is a FIFO or a device (which would hang hush or read without bound).
 * Runs the built CLI with a timeout, so a hang fails the test instead of blocking the worker.
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { chownSync, mkdirSync, readFileSync, renameSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { CANARY, tempProject } from "../config/temp-project.js";
import { baseEnv, NODE, REPO } from "../helpers/run-binary.js";

const CLI = join(REPO, "dist/cli.js");
const IS_ROOT = process.geteuid?.() === 0;
const NOBODY = 65534;

/** `hush <args>` in `cwd`, killed after 15 s (a hang is a failure, not a stuck worker). */
function hush(cwd: string, args: string[], input = "") {
  const r = spawnSync(NODE, [CLI, ...args], { cwd, input, env: baseEnv(), timeout: 15_000, encoding: "utf8" });
  expect(r.signal, `hush ${args.join(" ")} was killed: it hung`).toBeNull();
  expect(r.stdout + r.stderr).not.toContain(CANARY);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function projectWithSecret(): string {
  const dir = tempProject();
  expect(hush(dir, ["set", "api_token"], CANARY).code).toBe(0);
  return dir;
}

function mkfifo(path: string): void {
  expect(spawnSync("mkfifo", ["-m", "600", path]).status).toBe(0);
}

describe.skipIf(!IS_ROOT)("as root: secrets files owned by another user are refused (StrictModes)", () => {
  it("a key file owned by another user: exit 5, the chown that fixes it", () => {
    const dir = projectWithSecret();
    chownSync(join(dir, ".secrets", ".encryption.key"), NOBODY, NOBODY);
    const r = hush(dir, ["get", "api_token"]);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain(`owned by uid ${NOBODY}`);
    expect(r.stderr).toContain(`chown 0 ${join(dir, ".secrets", ".encryption.key")}`);
  });

  it("a secrets folder owned by another user: refused for reads and for init", () => {
    const dir = projectWithSecret();
    chownSync(join(dir, ".secrets"), NOBODY, NOBODY);
    const r = hush(dir, ["get", "api_token"]);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain(`owned by uid ${NOBODY}`);
    expect(r.stderr).toContain("chown");
    const fresh = tempProject();
    mkdirSync(join(fresh, ".secrets"), { mode: 0o700 });
    chownSync(join(fresh, ".secrets"), NOBODY, NOBODY);
    const init = hush(fresh, ["init"]);
    expect(init.code).toBe(5);
    expect(init.stderr).toContain(`owned by uid ${NOBODY}`);
  });
});

describe("non-regular files are refused before reading, without hanging", () => {
  it("a FIFO as the key file", () => {
    const dir = projectWithSecret();
    unlinkSync(join(dir, ".secrets", ".encryption.key"));
    mkfifo(join(dir, ".secrets", ".encryption.key"));
    const r = hush(dir, ["get", "api_token"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("not a regular file");
  });

  it("a FIFO as the store", () => {
    const dir = projectWithSecret();
    renameSync(join(dir, ".secrets", "dev.store"), join(dir, "store.bak"));
    mkfifo(join(dir, ".secrets", "dev.store"));
    const r = hush(dir, ["get", "api_token"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("not a regular file");
  });

  it("a FIFO as the lock file", () => {
    const dir = projectWithSecret();
    mkfifo(join(dir, ".secrets", "dev.lock"));
    const r = hush(dir, ["set", "other"], "value");
    expect(r.code).toBe(7);
    expect(r.stderr).toContain("not a regular file");
  });

  it("--from-file /dev/zero and a FIFO: refused at once, nothing stored", () => {
    const dir = projectWithSecret();
    const before = readFileSync(join(dir, ".secrets", "dev.store"));
    const zero = hush(dir, ["set", "other", "--from-file", "/dev/zero"]);
    expect(zero.code).toBe(7);
    expect(zero.stderr).toContain("not a regular file");
    mkfifo(join(dir, "value.fifo"));
    const fifo = hush(dir, ["set", "other", "--from-file", join(dir, "value.fifo")]);
    expect(fifo.code).toBe(7);
    expect(fifo.stderr).toContain("not a regular file");
    expect(readFileSync(join(dir, ".secrets", "dev.store"))).toEqual(before);
  });
});
