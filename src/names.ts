/**
 * Secret names. The canonical form is lower case (`openai_api_key`, `database.config`); the
 * environment-variable form is upper snake case (`OPENAI_API_KEY`, `DATABASE_CONFIG`).
 * Lookups accept either form. A name that cannot be mapped safely is rejected, never mangled.
 *
 * Decision: `/` is rejected rather than mapped to `_` (FAULTS 13: `a/b` must not reach a
 * file system path through the Python layout's `<name>.secret` files).
 */
import { HushError } from "./errors.js";

/** Longest accepted name, in characters (all ASCII). */
export const MAX_NAME_LENGTH = 128;

const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Throws INVALID_NAME unless `name` is a safe secret name. Returns it unchanged. */
export function assertValidName(name: unknown): string {
  if (typeof name !== "string" || name.length === 0) {
    throw new HushError("INVALID_NAME", "A secret name must be a non-empty string.");
  }
  if (name.length > MAX_NAME_LENGTH) {
    throw new HushError("INVALID_NAME", `A secret name is at most ${MAX_NAME_LENGTH} characters; this one has ${name.length}.`);
  }
  if (!NAME_PATTERN.test(name)) {
    // Describe the problem without echoing a possibly hostile name in full.
    throw new HushError("INVALID_NAME", `Invalid secret name ${JSON.stringify(name.slice(0, 40))}: ${describeProblem(name)}.`, { secret: safePreview(name) });
  }
  return name;
}

/** True when `name` is a valid secret name. */
export function isValidName(name: unknown): name is string {
  return typeof name === "string" && name.length > 0 && name.length <= MAX_NAME_LENGTH && NAME_PATTERN.test(name);
}

/** `OPENAI_API_KEY` -> `openai_api_key`; `database.config` stays as it is. */
export function canonicalName(name: string): string {
  return assertValidName(name).toLowerCase();
}

/** `openai_api_key` / `db.url` / `my-key` -> `OPENAI_API_KEY` / `DB_URL` / `MY_KEY`. */
export function envName(name: string): string {
  return assertValidName(name).toUpperCase().replace(/[.-]/g, "_");
}

/**
 * Finds names that map to one environment variable. Returns each group of two or more.
 * @example findCollisions(["db.url", "DB_URL", "x"]) // [["db.url", "DB_URL"]]
 */
export function findCollisions(names: Iterable<string>): string[][] {
  const groups = new Map<string, string[]>();
  for (const n of names) {
    const key = envName(n);
    const group = groups.get(key);
    if (group) {
      if (!group.includes(n)) group.push(n);
    } else groups.set(key, [n]);
  }
  return [...groups.values()].filter((g) => g.length > 1);
}

/**
 * The one name of `held` that `name` means, by the rule every command uses: the same string,
 * else the same canonical name, else the one name with the same env-var form (`DATABASE_CONFIG`
 * and `MY_KEY` find `database.config` and `my-key`). Undefined when none; NAME_COLLISION when
 * several names share that form.
 * @example findHeldName("MY_KEY", ["my-key", "other"]) // "my-key"
 */
export function findHeldName(name: string, held: Iterable<string>, where = "the configured sources"): string | undefined {
  const canonical = canonicalName(name);
  const variable = envName(name);
  const matches = new Set<string>();
  let sameCanonical: string | undefined;
  for (const n of held) {
    if (n === name) return n; // exactly as held first: the Python layout keeps `API_KEY` and `api_key` apart
    if (!isValidName(n)) continue;
    if (canonicalName(n) === canonical) sameCanonical ??= n;
    else if (envName(n) === variable) matches.add(n);
  }
  if (sameCanonical !== undefined) return sameCanonical;
  if (matches.size > 1) assertNoCollisions(matches, where);
  return matches.values().next().value;
}

/**
 * {@link findHeldName} for many names against one listing (a batch write of 10,000 names):
 * the same rules, with the listing indexed once.
 */
export function heldNameIndex(held: Iterable<string>, where = "the configured sources"): (name: string) => string | undefined {
  const exact = new Set<string>();
  const byCanonical = new Map<string, string>();
  const byVariable = new Map<string, Set<string>>();
  for (const n of held) {
    exact.add(n);
    if (!isValidName(n)) continue;
    const canonical = canonicalName(n);
    if (!byCanonical.has(canonical)) byCanonical.set(canonical, n);
    const group = byVariable.get(envName(n)) ?? new Set<string>();
    byVariable.set(envName(n), group.add(n));
  }
  return (name) => {
    if (exact.has(name)) return name;
    const same = byCanonical.get(canonicalName(name));
    if (same !== undefined) return same;
    const matches = byVariable.get(envName(name));
    if (matches && matches.size > 1) assertNoCollisions(matches, where);
    return matches?.values().next().value;
  };
}

/** Throws NAME_COLLISION naming every colliding pair. */
export function assertNoCollisions(names: Iterable<string>, where = "the configured sources"): void {
  const collisions = findCollisions(names);
  if (collisions.length === 0) return;
  const list = collisions.map((g) => `${g.map((n) => `"${n}"`).join(" and ")} -> ${envName(g[0]!)}`).join("; ");
  throw new HushError("NAME_COLLISION", `Names in ${where} map to the same environment variable: ${list}.`);
}

// --- internal ---

function describeProblem(name: string): string {
  if (name.includes("\0")) return "it contains a NUL byte";
  if (name.includes("/") || name.includes("\\")) return "it contains a path separator";
  if (name.startsWith(".")) return "it starts with '.'";
  if (/^[0-9-]/.test(name)) return "it must start with a letter or '_'";
  return "it contains characters other than letters, digits, '_', '.' and '-'";
}

function safePreview(name: string): string {
  return name.replace(/[^\x20-\x7e]/g, "?").slice(0, 40);
}
