// FAULTS 10 on a real file system: a full disk (ENOSPC) and a read-only one (EROFS) during a
// write to the local store, the Python layout and through `hush set`. The old files stay
// byte-identical, no temp or lock file is left, the error is clear and carries no value, and
// the store still opens. Needs root to mount a tmpfs; skipped (and says so) elsewhere.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cpSync, chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalSource } from "../../src/sources/local.js";
import { createMallkuSource } from "../../src/sources/mallku.js";
import { createKeyFile } from "../../src/crypto/key-file.js";
import { HushError } from "../../src/errors.js";
import { runHush } from "../helpers/cli.js";
import { MALLKU_FIXTURE } from "../helpers/fixtures.js";
import { fillDisk, mountTmpfs, remountReadOnly, unmount } from "../helpers/tmpfs.js";

const CANARY = "canary-disk-fault-7f3e9a1b2c4d";
const BIG = CANARY + "x".repeat(64 * 1024); // needs pages the full disk does not have

let root: string;
let mount: string | undefined;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "hush-disk-"));
});
afterEach(() => {
  unmount(mount);
  mount = undefined;
  rmSync(root, { recursive: true, force: true });
});

/** Every file of `dir` but the fillers, with its bytes. */
function snapshot(dir: string): Map<string, Buffer> {
  return new Map(
    readdirSync(dir)
      .filter((f) => !f.startsWith("filler-"))
      .sort()
      .map((f) => [f, readFileSync(join(dir, f))]),
  );
}

async function expectWriteFailed(p: Promise<unknown>, cause: string): Promise<HushError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(HushError);
  const h = e as HushError;
  expect(h.code).toBe("WRITE_FAILED");
  expect(h.message).toContain(cause);
  expect(`${h.message} ${h.hint} ${String(h)} ${JSON.stringify(h)}`).not.toContain(CANARY);
  return h;
}

describe("local store on a real file system (FAULTS 10)", () => {
  async function storeWithOneSecret(ctx: { skip: (note?: string) => void }, kib: number): Promise<string> {
    mount = mountTmpfs(ctx, root, kib);
    const dir = join(mount!, ".secrets");
    createKeyFile(dir, "dev");
    const local = createLocalSource({ secretsDir: dir, onWarning: () => undefined });
    await local.set("openai_api_key", "sk-old-value");
    await local.dispose();
    return dir;
  }

  it.for([
    ["the lock file", 0, /lock file/],
    ["the new store", 1, /dev\.store: write failed/],
  ] as const)("disk full at %s: WRITE_FAILED (ENOSPC), the store byte-identical, no temp or lock left, still opens", async ([, pagesLeft, where], ctx) => {
    const dir = await storeWithOneSecret(ctx, 256);
    const before = snapshot(dir);
    fillDisk(dir);
    for (let i = 0; i < pagesLeft; i++) rmSync(join(dir, `filler-${i}`)); // room for the lock, not for the store
    const local = createLocalSource({ secretsDir: dir, onWarning: () => undefined });
    const e = await expectWriteFailed(local.set("anthropic_api_key", BIG), "ENOSPC");
    expect(e.message).toMatch(where);
    expect(snapshot(dir)).toEqual(before);
    expect((await local.get("openai_api_key"))?.value).toBe("sk-old-value");
    await local.dispose();
  });

  it("read-only file system: WRITE_FAILED (EROFS), reads still work", async (ctx) => {
    const dir = await storeWithOneSecret(ctx, 512);
    const before = snapshot(dir);
    remountReadOnly(mount!);
    const local = createLocalSource({ secretsDir: dir, onWarning: () => undefined });
    expect((await local.get("openai_api_key"))?.value).toBe("sk-old-value");
    await expectWriteFailed(local.set("openai_api_key", CANARY), "EROFS");
    expect(snapshot(dir)).toEqual(before);
    await local.dispose();
  });

  it("`hush set` on a full disk: exit 1, one clear line and a hint, no value, no stack", async (ctx) => {
    const dir = await storeWithOneSecret(ctx, 256);
    const before = snapshot(dir);
    fillDisk(dir);
    const r = await runHush(["set", "anthropic_api_key", "--secrets-dir", dir, "-C", mount!], { stdin: BIG });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^hush: Cannot .* \(ENOSPC\)\.\n {2}hint: The write did not happen and the old store is unchanged; check disk space and permissions\.\n$/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout + r.stderr).not.toContain(CANARY);
    expect(snapshot(dir)).toEqual(before);
  });
});

describe("Python (Mallku) layout on a real file system (FAULTS 10)", () => {
  it("disk full: WRITE_FAILED, the per-key and consolidated files byte-identical, Python's data intact", async (ctx) => {
    mount = mountTmpfs(ctx, root, 512);
    const dir = join(mount!, ".secrets");
    cpSync(`${MALLKU_FIXTURE}.secrets`, dir, { recursive: true });
    chmodSync(dir, 0o700);
    for (const f of readdirSync(dir)) chmodSync(join(dir, f), 0o600);
    const before = snapshot(dir);
    fillDisk(dir);
    const mallku = createMallkuSource({ secretsDir: dir, onWarning: () => undefined });
    const names = await mallku.list();
    await expectWriteFailed(mallku.set!(names[0]!, BIG), "ENOSPC");
    expect(snapshot(dir)).toEqual(before);
    await mallku.dispose?.();
  });
});
