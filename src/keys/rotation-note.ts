/**
 * What the error of a failed `hush key rotate` (src/keys/rotate-local.ts) adds to its message: how
 * far the rotation got, so a user knows whether anything changed and what to do next. Said only
 * where it is true:
 *
 * - it failed before the store was written (the current key's unwrap, the wrap of the new key or
 *   its read-back: a KMS that is down or refuses): nothing was changed, it can be run again;
 * - it failed once the store's rewrite had begun and before the key was replaced: the new key is
 *   kept in `<key>.pending`, and the next command that opens the store finishes (or undoes) it;
 * - it failed after the key was replaced: the rotation itself is done;
 * - it failed settling an earlier interrupted rotation: this one did not start.
 *
 * The error keeps its code, hint and source; the note names no value and no key.
 */
import { HushError } from "../errors.js";

/** How far a rotation got. */
export interface RotationProgress {
  /** An interrupted rotation was settled (finished or undone) before this one began. */
  settled: boolean;
  /** `settling` an earlier rotation; `preparing` (the store not yet written); `store` (its rewrite begun, the key not replaced); `replaced` (the key replaced). */
  reached: "settling" | "preparing" | "store" | "replaced";
}

/** `e` (a HushError) with the note of `progress` appended to its message; anything else as it is. */
export function withRotationNote(e: unknown, progress: RotationProgress, pendingPath: string): unknown {
  if (!(e instanceof HushError)) return e;
  const noted = new HushError(e.code, `${e.message} ${noteOf(e, progress, pendingPath)}`, { hint: e.hint, ...(e.source !== undefined ? { source: e.source } : {}), ...(e.secret !== undefined ? { secret: e.secret } : {}), ...(e.causeCode !== undefined ? { cause: { code: e.causeCode } } : {}) });
  noted.stack = `${noted.stack ?? ""}\nraised as: ${e.stack ?? String(e)}`; // the attempts made, for --debug
  return noted;
}

// --- internal ---

function noteOf(e: HushError, progress: RotationProgress, pendingPath: string): string {
  const once = e.code === "SOURCE_UNAVAILABLE" ? "once the service can be reached" : "once this is fixed";
  switch (progress.reached) {
    case "settling":
      return `The rotation did not start: an interrupted rotation (its new key in ${pendingPath}) could not be settled first; the next hush command that opens the store settles it. Run \`hush key rotate\` again ${once}.`;
    case "preparing":
      return `Nothing was changed${progress.settled ? " by this rotation (an interrupted one was settled first)" : ""}: the store and the key file are as they were, and no pending key is left. Run \`hush key rotate\` again ${once}.`;
    case "store":
      return `The rotation stopped after the store's rewrite began, before the key was replaced: the new key is kept in ${pendingPath}; the next hush command that opens the store (\`hush key rotate\` run again too) finishes the rotation, or undoes it if the store was not rewritten.`;
    case "replaced":
      return "The store and the key were already replaced: the rotation itself is done.";
  }
}
