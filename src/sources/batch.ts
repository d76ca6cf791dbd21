/**
 * Shared by the sources' `setMany` (the batch write of the source interface, src/types.ts):
 * the entries in canonical form, with a name given twice refused before anything is written.
 */
import { HushError } from "../errors.js";
import { canonicalName } from "../names.js";

/** The entries with canonical names, in order; INVALID_ARGUMENT when a name comes twice. */
export function canonicalEntries(entries: readonly (readonly [string, string])[], source: string): [string, string][] {
  if (!Array.isArray(entries)) throw new HushError("INVALID_ARGUMENT", `setMany takes an array of [name, value] pairs.`, { source });
  const seen = new Set<string>();
  const out: [string, string][] = [];
  for (const entry of entries) {
    if (!Array.isArray(entry) || entry.length !== 2) throw new HushError("INVALID_ARGUMENT", `setMany takes an array of [name, value] pairs.`, { source });
    const name = canonicalName(entry[0]);
    if (seen.has(name)) throw new HushError("INVALID_ARGUMENT", `"${name}" is given twice in one batch; nothing was written.`, { source, secret: name });
    seen.add(name);
    out.push([name, entry[1]]);
  }
  return out;
}
