/**
 * A per-user cache of parsed hush.yaml texts. Loading the YAML parser costs every start of
 * `hush run` about 8 ms, and hush.yaml rarely changes: an entry holds the parser's output for
 * one exact text (its SHA-256 names the file), written only once that text has parsed and
 * validated. The entry is validated again on every use, so only the YAML step is skipped.
 * hush.yaml holds no values, so neither should the cache: but a value pasted by mistake into a
 * valid file (a `description:`) is in its parse. So each hush.yaml path has a `<sha>.ref` naming
 * the text last read there; when the text changes, the old text's entry is removed
 * ({@link forgetOldText}), and the mistake lives no longer in the cache than in the file.
 * It lives in hush's private cache folder (0700, see fs/user-cache-dir.ts); a missing,
 * unwritable or damaged cache only means parsing again.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../fs/atomic-write.js";
import { userCacheDir } from "../fs/user-cache-dir.js";
import { VERSION } from "../version.js";

/** Bump when the YAML options in load.ts change what a text parses to. */
const FORMAT = 1;
/** Entries kept; older ones are removed when a new one is written. */
const MAX_ENTRIES = 64;
const MAX_ENTRY_BYTES = 256 * 1024;

/** The parsed form of `text` when the cache has it. */
export function readParsedConfig(text: string, env: NodeJS.ProcessEnv): { raw: unknown } | undefined {
  const dir = cacheDir(env);
  if (!dir) return undefined;
  try {
    const path = join(dir, entryName(text));
    if (statSync(path).size > MAX_ENTRY_BYTES) return undefined;
    const entry = JSON.parse(readFileSync(path, "utf8")) as { format?: unknown; hush?: unknown; raw?: unknown };
    if (entry.format !== FORMAT || entry.hush !== VERSION || !("raw" in entry)) return undefined;
    return { raw: entry.raw };
  } catch (_e) {
    // No entry yet, or one that does not parse: the caller parses the YAML.
    return undefined;
  }
}

/** Keeps the parsed form of a text that validated. Never fails: a cache is an optimisation. */
export async function writeParsedConfig(text: string, raw: unknown, env: NodeJS.ProcessEnv): Promise<void> {
  const dir = cacheDir(env);
  if (!dir) return;
  const entry = JSON.stringify({ format: FORMAT, hush: VERSION, raw });
  if (entry.length > MAX_ENTRY_BYTES) return; // it would never be read back
  try {
    await writeFileAtomic(join(dir, entryName(text)), entry); // whole entries only, 0600
    prune(dir);
  } catch (_e) {
    // A full or read-only disk: leave the cache as it is (writeFileAtomic removed its temp file).
  }
}

/**
 * Records that `path` now holds `text`, and removes the entry of the text it held before (another
 * project whose file has that same text then parses it again). Never fails.
 */
export async function forgetOldText(path: string, text: string, env: NodeJS.ProcessEnv): Promise<void> {
  const dir = cacheDir(env);
  if (!dir) return;
  const ref = join(dir, `${sha256(`hush.yaml path\0${path}`)}.ref`);
  const now = entryName(text);
  let before: string | undefined;
  try {
    before = readFileSync(ref, "utf8");
  } catch (_e) {
    // No ref yet (first read of this file, or pruned): nothing to forget.
  }
  if (before === now) return;
  try {
    if (before !== undefined && /^[0-9a-f]{64}\.json$/.test(before)) unlinkSync(join(dir, before));
  } catch (_e) {
    // Already gone (pruned, or removed by another project's change).
  }
  try {
    await writeFileAtomic(ref, now);
  } catch (_e) {
    // A full or read-only disk: the next read tries again.
  }
}

// --- internal ---

function cacheDir(env: NodeJS.ProcessEnv): string | undefined {
  if (env.HUSH_NO_CACHE === "1") return undefined;
  return userCacheDir(env, "config");
}

function entryName(text: string): string {
  return `${sha256(text)}.json`;
}

function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** Removes the oldest entries beyond MAX_ENTRIES (and stray temp files of crashed writers). */
function prune(dir: string): void {
  const entries = readdirSync(dir)
    .map((name) => ({ name, mtimeMs: statSync(join(dir, name), { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
    .sort((a, b) => b.mtimeMs - a.mtimeMs);
  const old = Date.now() - 60_000;
  entries.forEach((e, i) => {
    if (i >= MAX_ENTRIES || (e.name.includes(".tmp-") && e.mtimeMs < old)) unlinkSync(join(dir, e.name));
  });
}
