/**
 * The mapping model (External Secrets Operator's `remoteRef`), shared by remote sources: where a
 * hush name lives in the backend. `secrets.NAME.remote: { key, property?, version? }` in hush.yaml
 * wins; without it, the key is the name under the source's `path` prefix. `property` picks a field
 * of a JSON value (or of a multi-field secret: the source hands the fields as an object).
 *
 * @example
 * remoteKeyFor("openai_api_key", { remoteRefs: { openai_api_key: { key: "apps/llm", property: "openai" } } }, "agents");
 * // { key: "apps/llm", property: "openai", mapped: true }
 * remoteKeyFor("db_url", {}, "agents/prod"); // { key: "agents/prod/db_url", mapped: false }
 */
import type { RemoteRef } from "../../config/types.js";
import { remoteError, type RemoteWhere } from "./errors.js";

/** Where one name lives: the remote key, the field and the version, and whether hush.yaml said so. */
export interface RemoteLocation extends RemoteRef {
  /** True when `secrets.NAME.remote` gave it; false when derived from the name and the prefix. */
  mapped: boolean;
}

/** The location of `name`: its `remote` entry, else `<prefix>/<name>`. */
export function remoteKeyFor(name: string, context: { remoteRefs?: Readonly<Record<string, RemoteRef>> }, prefix?: string): RemoteLocation {
  const ref = context.remoteRefs?.[name];
  if (ref) return { ...ref, mapped: true };
  return { key: joinKey(prefix, name), mapped: false };
}

/** `prefix/name` with exactly one `/` between them and none at the ends. */
export function joinKey(prefix: string | undefined, name: string): string {
  const p = (prefix ?? "").replace(/^\/+|\/+$/g, "");
  return p === "" ? name : `${p}/${name}`;
}

/**
 * The hush names held under `prefix`, from the keys a listing found (relative to the prefix): a key
 * that a `remote` entry maps is listed under that entry's name; a plain key is listed as itself
 * when it is not mapped by another name.
 */
export function namesForKeys(keys: readonly string[], prefix: string | undefined, refs: Readonly<Record<string, RemoteRef>> | undefined): string[] {
  const byKey = new Map<string, string[]>();
  for (const [name, ref] of Object.entries(refs ?? {})) byKey.set(ref.key, [...(byKey.get(ref.key) ?? []), name]);
  const names = new Set<string>();
  for (const relative of keys) {
    const full = joinKey(prefix, relative);
    const mapped = byKey.get(full) ?? byKey.get(relative);
    if (mapped) for (const n of mapped) names.add(n);
    else names.add(relative);
  }
  return [...names];
}

/**
 * The string a location points at in `data`: `data[property]` when a property is given, else the
 * one string of a single-field secret. A field that is not there is "not here" (undefined); a
 * non-string field is handed on as its JSON text. A secret with several fields and no property is
 * refused (which field would be meant?), naming the fields, never their values.
 */
export function pickProperty(data: Readonly<Record<string, unknown>>, property: string | undefined, where: RemoteWhere): { value: string; encoding: "string" | "json" } | undefined {
  if (property === undefined) {
    const keys = Object.keys(data);
    if (keys.length === 1 && keys[0] === "value") return asString(data.value);
    if (keys.length === 1) return asString(data[keys[0]!]);
    if (keys.length === 0) return undefined;
    throw remoteError("INVALID_ARGUMENT", `${where.source}: ${where.path ?? "the secret"} holds ${keys.length} fields (${keys.slice(0, 8).map(safeKey).join(", ")}); say which with secrets.${where.secret ?? "NAME"}.remote.property in hush.yaml.`, where);
  }
  if (!Object.prototype.hasOwnProperty.call(data, property)) return undefined;
  return asString(data[property]);
}

/** The field `property` of a JSON text (AWS/Google values); a text that is not a JSON object is INVALID_VALUE naming the key, never quoting the text. */
export function pickJsonProperty(text: string, property: string | undefined, where: RemoteWhere): { value: string; encoding: "string" | "json" } | undefined {
  if (property === undefined) return { value: text, encoding: "string" };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch {
    // JSON.parse's message quotes the text: never passed on.
    throw remoteError("INVALID_VALUE", `${where.source}: the value of ${where.path ?? "the secret"} is not JSON, so its property "${safeKey(property)}" cannot be read.`, where);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw remoteError("INVALID_VALUE", `${where.source}: the value of ${where.path ?? "the secret"} is JSON but not an object, so its property "${safeKey(property)}" cannot be read.`, where);
  return pickProperty(parsed as Record<string, unknown>, property, where);
}

// --- internal ---

function asString(v: unknown): { value: string; encoding: "string" | "json" } | undefined {
  if (v === undefined) return undefined;
  return typeof v === "string" ? { value: v, encoding: "string" } : { value: JSON.stringify(v), encoding: "json" };
}

/** A field name as shown in a message: as is when it reads as a name, else a placeholder. */
function safeKey(key: string): string {
  return /^[A-Za-z0-9_.-]{1,64}$/.test(key) ? key : "(a field)";
}
