import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sweepStaleTemps, writeFileAtomic, type AtomicWriteFs } from "../../src/fs/atomic-write.js";
import { HushError } from "../../src/errors.js";

const root = mkdtempSync(join(tmpdir(), "hush-atomic-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const OLD = "old-content-CANARY-1234567890";
const NEW = "new-content-CANARY-abcdefghij";
let dir: string;
let target: string;

beforeEach(() => {
  dir = mkdtempSync(join(root, "case-"));
  target = join(dir, "dev.store");
  writeFileSync(target, OLD, { mode: 0o600 });
});

function errnoError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: simulated, data was ${NEW}`), { code });
}

/** Runs a write that must fail and checks: WRITE_FAILED, old file intact, no temp, no data in the error. */
async function expectFailedWrite(fs: Partial<AtomicWriteFs>, code: string, step: string): Promise<void> {
  try {
    await writeFileAtomic(target, NEW, { fs });
    expect.unreachable("the write succeeded");
  } catch (e) {
    expect(e).toBeInstanceOf(HushError);
    const err = e as HushError;
    expect(err.code).toBe("WRITE_FAILED");
    expect(err.causeCode).toBe(code);
    expect(err.message).toContain(target);
    expect(err.message).toContain(step);
    const text = `${err.message} ${String(err)} ${JSON.stringify(err)} ${err.hint}`;
    expect(text).not.toContain("CANARY");
  }
  expect(readFileSync(target, "utf8")).toBe(OLD);
  expect(readdirSync(dir)).toEqual(["dev.store"]);
}

describe("writeFileAtomic", () => {
  it("replaces the file and leaves no temp", async () => {
    await writeFileAtomic(target, NEW);
    expect(readFileSync(target, "utf8")).toBe(NEW);
    expect(readdirSync(dir)).toEqual(["dev.store"]);
  });

  it("creates files 0600 under umask 0 (the mode is given to open, never chmod afterwards)", async () => {
    const previous = process.umask(0);
    try {
      const fresh = join(dir, "fresh.store");
      await writeFileAtomic(fresh, NEW);
      expect(statSync(fresh).mode & 0o777).toBe(0o600);
      await writeFileAtomic(target, NEW);
      expect(statSync(target).mode & 0o777).toBe(0o600);
    } finally {
      process.umask(previous);
    }
  });

  it("writes everything when write(2) returns short counts", async () => {
    const big = Buffer.alloc(100_000, 7);
    const { writeSync } = await import("node:fs");
    await writeFileAtomic(target, big, { fs: { writeSync: (fd, b, off, len) => writeSync(fd, b, off, Math.min(len, 999)) } });
    expect(readFileSync(target).equals(big)).toBe(true);
  });

  it.each([
    ["openSync", "EACCES", "create the temp file"],
    ["writeSync", "ENOSPC", "write"],
    ["fsyncSync", "EIO", "fsync"],
    ["renameSync", "EROFS", "rename"],
  ] as const)("%s failing with %s leaves the old file byte-identical and no temp (FAULTS 10)", async (call, code, step) => {
    await expectFailedWrite({ [call]: () => { throw errnoError(code); } }, code, step);
  });

  it("ENOSPC on the fsync after a complete write is also refused cleanly", async () => {
    await expectFailedWrite({ fsyncSync: () => { throw errnoError("ENOSPC"); } }, "ENOSPC", "fsync");
  });

  it("a HushError from beforeRename passes through unchanged; the temp is removed", async () => {
    let seenTemp = "";
    const hook = (temp: string) => {
      seenTemp = temp;
      expect(readFileSync(temp, "utf8")).toBe(NEW);
      throw new HushError("CONCURRENT_MODIFICATION", "changed underneath");
    };
    await expect(writeFileAtomic(target, NEW, { beforeRename: hook })).rejects.toMatchObject({ code: "CONCURRENT_MODIFICATION" });
    expect(seenTemp).toMatch(new RegExp(`/\\.dev\\.store\\.tmp-${process.pid}-[0-9a-f]{12}$`));
    expect(readFileSync(target, "utf8")).toBe(OLD);
    expect(readdirSync(dir)).toEqual(["dev.store"]);
  });

  it.skipIf(process.getuid?.() === 0)("a read-only folder refuses the write and keeps the old file (not as root)", async () => {
    chmodSync(dir, 0o500);
    try {
      await expectFailedWrite({}, "EACCES", "create the temp file");
    } finally {
      chmodSync(dir, 0o700);
    }
  });
});

/** Makes `dir` immutable (chattr +i refuses new files even to root); false where unsupported. */
function makeImmutable(dir: string): boolean {
  return spawnSync("chattr", ["+i", dir]).status === 0;
}

describe("writeFileAtomic against a real refusal", () => {
  it("an immutable folder (chattr +i) refuses the temp file; the old file is unchanged", async (ctx) => {
    if (!makeImmutable(dir)) return ctx.skip("chattr +i is not permitted here (needs root and a file system that supports it)");
    try {
      await expectFailedWrite({}, "EPERM", "create the temp file");
    } finally {
      spawnSync("chattr", ["-i", dir]);
    }
  });
});

describe("sweepStaleTemps", () => {
  it("removes temps of dead writers only, and only of this file", () => {
    const dead = spawnSync(process.execPath, ["-e", ""]).pid!;
    const names = {
      deadTemp: `.dev.store.tmp-${dead}-0123456789ab`,
      liveTemp: `.dev.store.tmp-${process.pid}-0123456789ab`,
      otherBase: `.prod.store.tmp-${dead}-0123456789ab`,
      notATemp: `.dev.store.tmp-x`,
    };
    for (const n of Object.values(names)) writeFileSync(join(dir, n), "partial");
    mkdirSync(join(dir, "sub"));
    expect(sweepStaleTemps(dir, "dev.store")).toBe(1);
    expect(readdirSync(dir).sort()).toEqual([names.liveTemp, names.otherBase, names.notATemp, "dev.store", "sub"].sort());
    expect(sweepStaleTemps(join(dir, "missing"), "dev.store")).toBe(0);
  });
});
