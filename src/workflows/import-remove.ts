/**
 * `hush import --remove-source`: the imported file is removed only when nothing would be lost —
 * every key in it was a valid name, every value is in the target source and reads back equal, and
 * the file is still the one that was read. The removal is one unlink (atomic), made durable with
 * an fsync of its folder. Otherwise the file is kept and the error says why (names, never values).
 */
import { unlinkSync } from "node:fs";
import { dirname } from "node:path";
import { HushError } from "../errors.js";
import { fsyncDir } from "../crypto/key-file.js";
import type { SecretSource } from "../types.js";
import { fileIdentity, type ImportInput } from "./import-read.js";

/** Removes `path` after checking the target holds all of `input`; throws (keeping the file) otherwise. */
export async function removeImportedFile(path: string, input: ImportInput, target: SecretSource): Promise<void> {
  const kept = `${path} was kept`;
  if (input.invalidKeys > 0) {
    throw new HushError("INVALID_ARGUMENT", `${kept}: it holds ${input.invalidKeys} key(s) that are not valid secret names and were not imported.`, { hint: "Move those keys elsewhere, then remove the file yourself." });
  }
  const names = input.entries.map(([n]) => n);
  const records = target.getMany ? await target.getMany(names) : await Promise.all(names.map((n) => target.get(n)));
  const differ = input.entries.filter(([, value], i) => records[i]?.value !== value).map(([n]) => n);
  if (differ.length > 0) {
    throw new HushError("INVALID_ARGUMENT", `${kept}: ${differ.length} name(s) in it hold another value in ${target.name} (${differ.slice(0, 10).join(", ")}${differ.length > 10 ? ", ..." : ""}).`, {
      hint: "Compare with `hush get NAME`; re-run with --overwrite to store the file's values, or remove the file yourself.",
    });
  }
  if (fileIdentity(path) !== input.identity) {
    throw new HushError("CONCURRENT_MODIFICATION", `${kept}: it changed while it was imported.`, { hint: "Import it again, then remove it." });
  }
  try {
    unlinkSync(path);
  } catch (e) {
    throw new HushError("WRITE_FAILED", `The values are stored, but ${path} could not be removed.`, { cause: e, hint: "Remove the file yourself." });
  }
  fsyncDir(dirname(path));
}
