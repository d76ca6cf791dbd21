// Node's compile cache (Node >= 22.1) is kept in a folder of this user's only, never in the
// shared os.tmpdir()/node-compile-cache where another user could plant compiled code.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import module from "node:module";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { privateCompileCacheDir } from "../../src/cli/compile-cache-dir.js";

const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));
const HAS_COMPILE_CACHE = typeof (module as { enableCompileCache?: unknown }).enableCompileCache === "function";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "hush-compile-cache-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("privateCompileCacheDir", () => {
  it("creates $XDG_CACHE_HOME/hush/node-compile-cache with mode 0700, even under umask 000", () => {
    const old = process.umask(0);
    try {
      const got = privateCompileCacheDir({ XDG_CACHE_HOME: dir, HOME: "/nonexistent" });
      expect(got).toBe(join(dir, "hush", "node-compile-cache"));
      expect(statSync(got!).mode & 0o777).toBe(0o700);
      expect(statSync(join(dir, "hush")).mode & 0o777).toBe(0o700);
    } finally {
      process.umask(old);
    }
  });

  it("falls back to $HOME/.cache, and to no cache without a home", () => {
    expect(privateCompileCacheDir({ HOME: dir })).toBe(join(dir, ".cache", "hush", "node-compile-cache"));
    expect(privateCompileCacheDir({})).toBeUndefined();
    expect(privateCompileCacheDir({ XDG_CACHE_HOME: "relative/path" })).toBeUndefined();
  });

  it("keeps the user's own $NODE_COMPILE_CACHE; HUSH_NO_CACHE=1 turns it off", () => {
    expect(privateCompileCacheDir({ NODE_COMPILE_CACHE: "/some/where", HOME: dir })).toBe("/some/where");
    expect(privateCompileCacheDir({ HUSH_NO_CACHE: "1", HOME: dir })).toBeUndefined();
  });

  it("refuses a folder open to others, a symlink, or a file in the way", () => {
    const open = join(dir, "open", "hush", "node-compile-cache");
    mkdirSync(open, { recursive: true });
    chmodSync(open, 0o777);
    expect(privateCompileCacheDir({ XDG_CACHE_HOME: join(dir, "open") })).toBeUndefined();

    mkdirSync(join(dir, "link", "hush"), { recursive: true });
    mkdirSync(join(dir, "elsewhere"), { mode: 0o700 });
    symlinkSync(join(dir, "elsewhere"), join(dir, "link", "hush", "node-compile-cache"));
    expect(privateCompileCacheDir({ XDG_CACHE_HOME: join(dir, "link") })).toBeUndefined();

    writeFileSync(join(dir, "hush"), "not a folder");
    expect(privateCompileCacheDir({ XDG_CACHE_HOME: dir })).toBeUndefined();
  });
});

describe.skipIf(!existsSync(CLI))("the built CLI", () => {
  it.skipIf(!HAS_COMPILE_CACHE)("writes its compile cache to the private folder (Node >= 22.1)", () => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: join(dir, "home"), XDG_CACHE_HOME: join(dir, "cache") };
    const r = spawnSync(process.execPath, [CLI, "--version"], { env, encoding: "utf8" });
    expect(r.status).toBe(0);
    const cache = join(dir, "cache", "hush", "node-compile-cache");
    expect(statSync(cache).mode & 0o777).toBe(0o700);
    expect(readdirSync(cache).length).toBeGreaterThan(0);
  });

  it("runs without a cache when the home is read-only or missing", () => {
    const r = spawnSync(process.execPath, [CLI, "--version"], { env: { PATH: process.env.PATH, HOME: join(dir, "missing", "home") }, encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\d+\.\d+\.\d+/);
  });
});
