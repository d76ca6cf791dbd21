/**
 * Revokes that are due later: after a rotation with a grace period, the old value stays valid in
 * the target until `dueAt`; `hush rotate --due` (or `performDueRevokes`) revokes it then.
 *
 * Kept in `<secretsDir>/rotation.<env>.json` (0600, atomic writes): names, version numbers, the
 * rotator's type and options (which hush.yaml validation keeps free of credentials) and times,
 * never a value. The old value is read from the store (its `previous` version) when the revoke
 * runs. Every change is a read-modify-write under the file lock `<file>.lock` (src/fs/lock.ts), so
 * a rotation adding an entry while `hush rotate --due` removes the ones it revoked loses neither.
 * Two `--due` runs at once may both revoke one entry (a revoke is asked twice, never skipped).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { HushError } from "../errors.js";
import { writeFileAtomic } from "../fs/atomic-write.js";
import { withLock } from "../fs/lock.js";

/** One revoke waiting for its grace period to end. */
export interface DueRevoke {
  name: string;
  /** The source that holds the old version. */
  source: string;
  /** The old version (the `current` before the rotation) whose value is revoked. */
  version: number;
  /** The rotator that revokes it: its type and options as used for the rotation. */
  rotator: { type: string; options: Record<string, unknown> };
  /** When the rotation finished, and when the revoke is due (ISO 8601). */
  rotatedAt: string;
  dueAt: string;
}

/** The file of `environment`'s due revokes. */
export function dueRevokesPath(secretsDir: string, environment: string): string {
  return join(secretsDir, `rotation.${environment}.json`);
}

/** The due revokes recorded, oldest first; [] when there is no file. READ_FAILED when it does not parse. */
export function readDueRevokes(path: string): DueRevoke[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new HushError("READ_FAILED", `Could not read the due revokes in ${path}.`, { cause: e });
  }
  try {
    const doc = JSON.parse(text) as { revokes?: unknown };
    if (!Array.isArray(doc.revokes)) throw new Error("no revokes list");
    return doc.revokes as DueRevoke[];
  } catch (e) {
    throw new HushError("READ_FAILED", `The due revokes in ${path} are not the JSON hush writes; fix or remove the file (it holds no values).`, { cause: e });
  }
}

/**
 * Changes the recorded due revokes: reads them, applies `change` and writes the result (0600,
 * atomic), all under the file's lock, so concurrent changes are never lost.
 */
export async function updateDueRevokes(path: string, change: (revokes: DueRevoke[]) => DueRevoke[]): Promise<void> {
  await withLock(`${path}.lock`, async () => {
    const revokes = change(readDueRevokes(path));
    await writeFileAtomic(path, JSON.stringify({ format: "hush-rotation", v: 1, revokes }, null, 2) + "\n", { mode: 0o600 });
  });
}

/** Adds one due revoke (replacing an older one of the same name and version). */
export async function addDueRevoke(path: string, revoke: DueRevoke): Promise<void> {
  await updateDueRevokes(path, (all) => [...all.filter((r) => !sameRevoke(r, revoke)), revoke]);
}

/** Removes the given revokes (by name and version), keeping every other entry, also ones added meanwhile. */
export async function removeDueRevokes(path: string, done: readonly DueRevoke[]): Promise<void> {
  if (done.length === 0) return;
  await updateDueRevokes(path, (all) => all.filter((r) => !done.some((d) => sameRevoke(r, d))));
}

// --- internal ---

function sameRevoke(a: DueRevoke, b: DueRevoke): boolean {
  return a.name === b.name && a.version === b.version;
}
