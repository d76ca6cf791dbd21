import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { spawn, type ChildProcess } from "node:child_process";
import { tmpdir, hostname } from "node:os";
import { join } from "node:path";
import { processStartTime, readLockHolder, withLock } from "../../src/fs/lock.js";
import { HushError } from "../../src/errors.js";
import { bundleForChild } from "../helpers/bundle.js";

let root: string;
let worker: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "hush-lock-"));
  worker = await bundleForChild("test/helpers/lock-worker.ts", root, "lock-worker");
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const lockLine = (o: Record<string, unknown>) => JSON.stringify({ v: 1, start: null, host: hostname(), nonce: "abc", at: new Date().toISOString(), ...o }) + "\n";

function freshDir(): string {
  return mkdtempSync(join(root, "case-"));
}

function run(args: string[]): ChildProcess {
  return spawn(process.execPath, [worker, ...args], { stdio: ["ignore", "pipe", "inherit"] });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(child.exitCode) : child.once("exit", (code) => r(code))));
}

/** Starts a child that takes the lock and keeps it until killed. */
async function holdInChild(lockPath: string): Promise<ChildProcess> {
  const child = run(["hold", lockPath]);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (b: Buffer) => (b.toString().includes("held") ? resolve() : undefined));
    child.once("exit", () => reject(new Error("holder exited early")));
  });
  return child;
}

async function expectLockTimeout(lockPath: string): Promise<HushError> {
  try {
    await withLock(lockPath, () => "got it", { timeoutMs: 300 });
  } catch (e) {
    expect(e).toBeInstanceOf(HushError);
    expect((e as HushError).code).toBe("LOCK_TIMEOUT");
    return e as HushError;
  }
  return expect.unreachable("the lock was taken");
}

describe("withLock across processes", () => {
  it("gives mutual exclusion: 4 processes x 30 read-modify-write increments lose nothing", async () => {
    const dir = freshDir();
    const counter = join(dir, "counter");
    writeFileSync(counter, "0");
    const children = Array.from({ length: 4 }, () => run(["count", join(dir, "c.lock"), counter, "30"]));
    const codes = await Promise.all(children.map(exited));
    expect(codes).toEqual([0, 0, 0, 0]);
    expect(Number(readFileSync(counter, "utf8"))).toBe(120);
    expect(existsSync(join(dir, "c.lock"))).toBe(false);
  });

  it("times out on a live holder, naming its pid; breaks the lock once that holder is killed", async () => {
    const lockPath = join(freshDir(), "h.lock");
    const child = await holdInChild(lockPath);
    try {
      expect(readLockHolder(lockPath)?.pid).toBe(child.pid);
      const e = await expectLockTimeout(lockPath);
      expect(e.message).toContain(`pid ${child.pid}`);
      expect(e.message).toContain(lockPath);
    } finally {
      child.kill("SIGKILL");
      await exited(child);
    }
    expect(existsSync(lockPath)).toBe(true); // the dead holder's lock is still there ...
    expect(await withLock(lockPath, () => "taken", { timeoutMs: 5000 })).toBe("taken"); // ... and is broken
    expect(existsSync(lockPath)).toBe(false);
    expect(existsSync(`${lockPath}.break`)).toBe(false);
  });
});

describe("withLock stale and foreign locks", () => {

  it("breaks a lock whose pid is alive but started at another time (pid reuse)", async (ctx) => {
    const start = processStartTime();
    if (start === undefined) return ctx.skip("no /proc on this platform: pid reuse cannot be detected");
    const lockPath = join(freshDir(), "r.lock");
    writeFileSync(lockPath, lockLine({ pid: process.pid, start: String(Number(start) + 12345) }));
    expect(await withLock(lockPath, () => 1, { timeoutMs: 2000 })).toBe(1);
  });

  it("waits on a live pid with the right start time", async () => {
    const lockPath = join(freshDir(), "s.lock");
    writeFileSync(lockPath, lockLine({ pid: process.pid, start: processStartTime() ?? null }));
    await expectLockTimeout(lockPath);
  });

  it("treats an empty lock file as in progress while fresh and as stale after 2 s", async () => {
    const lockPath = join(freshDir(), "e.lock");
    writeFileSync(lockPath, "");
    await expectLockTimeout(lockPath);
    const old = new Date(Date.now() - 10_000);
    utimesSync(lockPath, old, old);
    expect(await withLock(lockPath, () => 2, { timeoutMs: 2000 })).toBe(2);
    writeFileSync(lockPath, '{"v":1,"pid":12'); // cut short mid-write
    utimesSync(lockPath, old, old);
    expect(await withLock(lockPath, () => 3, { timeoutMs: 2000 })).toBe(3);
  });

  it("never breaks a lock of another host, and says how to remove it", async () => {
    const lockPath = join(freshDir(), "f.lock");
    writeFileSync(lockPath, lockLine({ pid: 999999, host: "some-other-host" }));
    const e = await expectLockTimeout(lockPath);
    expect(e.message).toContain("some-other-host");
    expect(e.hint).toContain(`remove ${lockPath}`);
    expect(existsSync(lockPath)).toBe(true);
  });

  it("removes a guard left by a breaker that died, then breaks the dead lock", async () => {
    const dir = freshDir();
    const lockPath = join(dir, "g.lock");
    const dead = spawn(process.execPath, ["-e", ""]);
    await exited(dead);
    writeFileSync(lockPath, lockLine({ pid: dead.pid }));
    mkdirSync(`${lockPath}.break`);
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${lockPath}.break`, old, old);
    expect(await withLock(lockPath, () => 4, { timeoutMs: 3000 })).toBe(4);
    expect(existsSync(`${lockPath}.break`)).toBe(false);
  });
});

describe("withLock in one process", () => {
  it("queues callers in memory and releases after a throw", async () => {
    const lockPath = join(freshDir(), "q.lock");
    let inside = 0;
    let maxInside = 0;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        withLock(lockPath, async () => {
          maxInside = Math.max(maxInside, ++inside);
          await new Promise((r) => setImmediate(r));
          inside--;
        }),
      ),
    );
    expect(maxInside).toBe(1);
    await expect(withLock(lockPath, () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(existsSync(lockPath)).toBe(false);
    expect(await withLock(lockPath, () => 5, { timeoutMs: 500 })).toBe(5);
  });

  it("writes the lock 0600 with pid, start time, host and nonce; release leaves a lock that is not ours", async () => {
    const lockPath = join(freshDir(), "m.lock");
    const previous = process.umask(0);
    try {
      await withLock(lockPath, () => {
        const holder = readLockHolder(lockPath)!;
        expect(holder).toMatchObject({ pid: process.pid, start: processStartTime(), host: hostname() });
        expect(holder.nonce).toMatch(/^[0-9a-f]{24}$/);
        expect(statSync(lockPath).mode & 0o777).toBe(0o600);
        // Someone broke our lock and took it: release must not remove theirs.
        writeFileSync(lockPath, lockLine({ pid: process.pid, nonce: "theirs" }));
      });
    } finally {
      process.umask(previous);
    }
    expect(readLockHolder(lockPath)?.nonce).toBe("theirs");
  });
});
