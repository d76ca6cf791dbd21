/**
 * Finding a provider's key and settings through the manager, so env, .env and the local
 * store all work, with the name and source that won.
 *
 * Lookup order for the key (the reference design's patterns, then the registry's aliases):
 * `<name>_api_key`, `<name>_key`, `<NAME>_API_KEY`, then each alias. Names that map to the
 * same environment variable (`openai_api_key` / `OPENAI_API_KEY`) are one name to the
 * manager, so each is read once.
 *
 * Collisions: every name in the order is read. When two of them hold different values, the
 * first in lookup order wins and a warning names both (with their sources), never a value.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { HushError } from "../errors.js";
import { envName } from "../names.js";
import type { SecretRecord } from "../types.js";
import { PROVIDERS, type ProviderEntry, type ProviderSetting } from "./registry.js";

/** What the adapters need from a manager: `SecretsManager` satisfies it. */
export interface SecretReader {
  getRecord(name: string): Promise<SecretRecord | undefined>;
  /** The resolution chain, used to say where a missing key was looked for. */
  readonly sources?: readonly { readonly name: string }[];
}

/** Two names of one provider that hold different values. Names and sources only. */
export interface KeyCollision {
  /** The name that wins (first in lookup order). */
  winner: string;
  winnerSource: string;
  /** The name whose different value is ignored. */
  other: string;
  otherSource: string;
}

/** Where a provider's key was found, or everywhere it was looked for. */
export interface KeyResolution {
  provider: string;
  /** The winning record; holds the value, so never print or serialise it whole. */
  record: SecretRecord | undefined;
  /** The lookup name that won, as written in the lookup order (`openai_api_key`, `GEMINI_API_KEY`). */
  name: string | undefined;
  /** The source that served it (`env`, `dotenv`, `local`, ...). */
  source: string | undefined;
  /** Every name looked for, in order. */
  lookedFor: string[];
  /** The sources asked, in order, when the manager tells. */
  sources: string[];
  collisions: KeyCollision[];
  /** One line per collision, safe to print. */
  warnings: string[];
}

/** A resolved non-key setting. */
export interface SettingResolution {
  field: string;
  value: string | undefined;
  /** The name that supplied it, or `default`, or undefined when unset. */
  from: string | undefined;
  source: string | undefined;
}

/**
 * The registry entry for an id, an id alias or a lookup name (case-insensitive; `-` and `_`
 * are equivalent). Throws INVALID_ARGUMENT listing the known ids.
 * @example findProvider("gemini").id // "google"
 */
export function findProvider(provider: string | ProviderEntry): ProviderEntry {
  if (typeof provider !== "string") return provider;
  const wanted = normalizeId(provider);
  const entry = PROVIDERS.find((p) => [p.id, p.name, ...p.idAliases].some((id) => normalizeId(id) === wanted));
  if (!entry) {
    const known = PROVIDERS.map((p) => p.id).join(", ");
    throw new HushError("INVALID_ARGUMENT", `Unknown LLM provider ${JSON.stringify(provider.slice(0, 40))}; known providers: ${known}.`);
  }
  return entry;
}

/**
 * The names looked for a provider's key, in order.
 * @example keyLookupNames("google") // ["google_api_key", "google_key", "GOOGLE_API_KEY", "GEMINI_API_KEY", "GOOGLE_GENERATIVE_AI_API_KEY"]
 */
export function keyLookupNames(provider: string | ProviderEntry): string[] {
  const p = findProvider(provider);
  return [`${p.name}_api_key`, `${p.name}_key`, `${p.name.toUpperCase()}_API_KEY`, ...p.aliases];
}

/** Providers that claim `name` as a key name (canonical or alias, either case). */
export function providersForKeyName(name: string): ProviderEntry[] {
  const wanted = envName(name);
  return PROVIDERS.filter((p) => keyLookupNames(p).some((n) => envName(n) === wanted));
}

/**
 * Finds a provider's key through `reader`, reading every name in the lookup order to detect
 * collisions. Read failures (denied, unreachable, corrupt) propagate; they are never "missing".
 */
export async function resolveProviderKey(provider: string | ProviderEntry, reader: SecretReader): Promise<KeyResolution> {
  const p = findProvider(provider);
  const lookedFor = keyLookupNames(p);
  const found: { name: string; record: SecretRecord }[] = [];
  const seen = new Set<string>();
  for (const name of lookedFor) {
    const key = envName(name);
    if (seen.has(key)) continue; // same variable as an earlier name: the manager maps them to one secret
    seen.add(key);
    const record = await reader.getRecord(name);
    if (record !== undefined) found.push({ name, record });
  }
  const winner = found[0];
  const collisions = findCollisions(found);
  const warnings = collisions.map(
    (c) => `${p.displayName}: "${c.winner}" (${c.winnerSource}) and "${c.other}" (${c.otherSource}) hold different keys; using "${c.winner}", the first in lookup order.`,
  );
  return {
    provider: p.id,
    record: winner?.record,
    name: winner?.name,
    source: winner?.record.source,
    lookedFor,
    sources: sourceNames(reader),
    collisions,
    warnings,
  };
}

/** Resolves one non-key setting: the first of its names that is set, else its default. */
export async function resolveSetting(setting: ProviderSetting, reader: SecretReader): Promise<SettingResolution> {
  for (const name of setting.names) {
    const record = await reader.getRecord(name);
    if (record !== undefined) return { field: setting.field, value: record.value, from: name, source: record.source };
  }
  if (setting.default !== undefined) return { field: setting.field, value: setting.default, from: "default", source: undefined };
  return { field: setting.field, value: undefined, from: undefined, source: undefined };
}

/** The NOT_FOUND error for a missing key: names every name and source looked in. */
export function missingKeyError(resolution: KeyResolution): HushError {
  const p = findProvider(resolution.provider);
  const where = resolution.sources.length > 0 ? ` in sources ${resolution.sources.join(", ")}` : "";
  const first = resolution.lookedFor[0]!;
  return new HushError(
    "NOT_FOUND",
    `No API key for ${p.displayName}: looked for ${describeNames(resolution.lookedFor)}${where}.`,
    { secret: first, hint: `Set one with \`hush set ${first}\`, or provide ${envName(first)} through the environment or a .env file.` },
  );
}

/** The NOT_FOUND error for a required setting that is unset. */
export function missingSettingError(p: ProviderEntry, setting: ProviderSetting, sources: string[]): HushError {
  const where = sources.length > 0 ? ` in sources ${sources.join(", ")}` : "";
  const first = setting.names[0]!;
  return new HushError(
    "NOT_FOUND",
    `${p.displayName} needs ${setting.field} (${setting.description}): looked for ${describeNames(setting.names)}${where}.`,
    { secret: first, hint: `Set it with \`hush set ${first}\`, or provide ${envName(first)} through the environment or a .env file.` },
  );
}

/** The source names of a reader, when it exposes them. */
export function sourceNames(reader: SecretReader): string[] {
  return (reader.sources ?? []).map((s) => s.name);
}

// --- internal ---

function normalizeId(id: string): string {
  return id.trim().toLowerCase().replace(/[-_\s]+/g, "-");
}

/** `openai_api_key (OPENAI_API_KEY), ...`: both forms, since the sources accept either. */
function describeNames(names: string[]): string {
  const shown: string[] = [];
  const seen = new Set<string>();
  for (const n of names) {
    const env = envName(n);
    if (seen.has(env)) continue;
    seen.add(env);
    shown.push(n === env ? n : `${n} (${env})`);
  }
  return shown.join(", ");
}

/** The later finds whose value differs from the first's (the winner's), compared in constant time. */
function findCollisions(found: readonly { name: string; record: SecretRecord }[]): KeyCollision[] {
  const [winner, ...others] = found;
  if (!winner) return [];
  return others
    .filter((other) => !sameValue(winner.record.value, other.record.value))
    .map((other) => ({ winner: winner.name, winnerSource: winner.record.source, other: other.name, otherSource: other.record.source }));
}

/** Compares two values in constant time (digests first, so the lengths may differ). */
function sameValue(a: string, b: string): boolean {
  const da = createHash("sha256").update(a, "utf8").digest();
  const db = createHash("sha256").update(b, "utf8").digest();
  return timingSafeEqual(da, db);
}
