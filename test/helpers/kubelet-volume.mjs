/**
 * A folder laid out as the kubelet lays out a mounted Secret (pkg/volume/util/atomic_writer.go):
 * the payload in a timestamped `..<ts>` folder, `..data -> ..<ts>`, and `key -> ..data/key` per key.
 * `writeKubeletPayload(dir, values)` replaces the whole payload the way the kubelet does: new
 * folder, `..data_tmp` link, one rename over `..data`, then the per-key links, then the old folder
 * removed. Plain JS so that another process can run it (the kubelet is not hush's process):
 *
 *   node kubelet-volume.mjs swap <dir> <count>   # payloads {a,b,c} = "<x>-<n>", n = 1..count
 */
import { lstatSync, mkdirSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

let counter = 0;

/** Writes `values` as the new payload of `dir` (created if needed) with the kubelet's swap. */
export function writeKubeletPayload(dir, values) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let old;
  try {
    old = readlinkSync(join(dir, "..data"));
  } catch {
    old = undefined;
  }
  const ts = `..2026_11_29_17_00_00.${process.pid}${String(++counter).padStart(6, "0")}`;
  mkdirSync(join(dir, ts), { mode: 0o700 });
  for (const [key, value] of Object.entries(values)) writeFileSync(join(dir, ts, key), value, { mode: 0o600 });
  symlinkSync(ts, join(dir, "..data_tmp"));
  renameSync(join(dir, "..data_tmp"), join(dir, "..data"));
  for (const key of Object.keys(values)) {
    try {
      lstatSync(join(dir, key));
    } catch {
      symlinkSync(join("..data", key), join(dir, key));
    }
  }
  for (const entry of readdirSync(dir)) {
    if (entry.startsWith(".") || Object.hasOwn(values, entry)) continue;
    unlinkSync(join(dir, entry)); // a key no longer in the payload: its link goes
  }
  if (old !== undefined) rmSync(join(dir, old), { recursive: true, force: true });
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === "swap") {
  const [dir, count] = [process.argv[3], Number(process.argv[4])];
  // 1 ms between swaps (a real kubelet swaps once per sync, about a minute apart): back to back,
  // on a loaded machine every one of a reader's retries could meet a swap, which is a different test.
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let n = 1; n <= count; n++) {
    writeKubeletPayload(dir, { a: `a-${n}`, b: `b-${n}`, c: `c-${n}` });
    Atomics.wait(pause, 0, 0, 1);
  }
}
