/**
 * A real small file system for disk-fault tests (FAULTS 10 and 21): a tmpfs mounted in a
 * temp folder, which a test fills up (ENOSPC) or remounts read-only (EROFS). Mounting needs
 * root; elsewhere the test is skipped, and says why.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Mounts a tmpfs of `kib` KiB at `<parent>/fs` (mode 0700) and returns its path; undefined (and skips) without root. */
export function mountTmpfs(ctx: { skip: (note?: string) => void }, parent: string, kib: number): string | undefined {
  if (process.getuid?.() !== 0) {
    ctx.skip("needs root to mount a tmpfs");
    return undefined;
  }
  const mount = join(parent, "fs");
  mkdirSync(mount, { mode: 0o700 });
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${kib}k,mode=0700`, "tmpfs", mount], { stdio: "pipe" });
  } catch (_e) {
    ctx.skip("mount -t tmpfs is not permitted here");
    return undefined;
  }
  return mount;
}

/** Fills the file system of `dir` until a write fails with ENOSPC. */
export function fillDisk(dir: string): void {
  for (let i = 0; ; i++) {
    try {
      writeFileSync(join(dir, `filler-${i}`), Buffer.alloc(4096));
    } catch (_e) {
      return; // ENOSPC: full
    }
  }
}

/** Makes the mount read-only (EROFS for every write). */
export function remountReadOnly(mount: string): void {
  execFileSync("mount", ["-o", "remount,ro", mount], { stdio: "pipe" });
}

/** Unmounts, whatever state the test left it in. */
export function unmount(mount: string | undefined): void {
  if (mount) execFileSync("umount", ["-l", mount], { stdio: "pipe" });
}
