/**
 * The kubernetes source's API mode: Secret objects read and written through the Kubernetes API
 * with `@kubernetes/client-node` (./client.ts).
 *
 * Addressing is `secretKeyRef`'s: `secrets.NAME.remote: { key: <Secret name>, property: <data
 * key> }` in hush.yaml; a name without `remote` is a data key of the source's default Secret
 * (`secret` option). Values are base64 in `data` (decoded strictly) and text in `stringData`
 * (write-only in the API, honoured when a reply has it). Writes are read-modify-replace with the
 * Secret's `resourceVersion`, so a concurrent writer is a 409 and the write starts again from a
 * fresh read instead of overwriting it.
 */
import { HushError } from "../../errors.js";
import { assertValidName, canonicalName, envName, findHeldName, isValidName } from "../../names.js";
import type { RemoteRef } from "../../config/types.js";
import type { RemoteLocationInfo, SecretRecord, SecretSource, SourceCheck } from "../../types.js";
import type { RetryOptions } from "../remote/retry.js";
import { pickProperty } from "../remote/mapping.js";
import type { KubernetesConnection, SecretObject } from "./client.js";
import { createSecretAccess, validSecretName } from "./secret-access.js";
import { createSecretWatch, type SecretWatchOptions } from "./watch.js";

/** Options of {@link createKubernetesApiSource}. */
export interface KubernetesApiOptions {
  name: string;
  connection: KubernetesConnection;
  /** The Secret holding names without a `remote` entry. */
  secret: string;
  remoteRefs?: Readonly<Record<string, RemoteRef>>;
  timeoutMs: number;
  /** Retry tuning (tests shorten the waits). */
  retry?: Pick<RetryOptions<never>, "attempts" | "baseDelayMs" | "maxDelayMs" | "maxRetryAfterMs" | "onAttempt">;
  /** `watch`: how often a Secret is read when the `watch` verb is denied (and the longest wait between reconnects), in ms. @default 10000 */
  watchIntervalMs?: number;
  /** `watch`: `timeoutSeconds` of each watch request (tests). @default a random 300..600 */
  watchTimeoutSeconds?: number;
  onWarning?: (message: string) => void;
}

/** Where a name lives: a Secret and, when hush.yaml says, its data key. */
interface Location {
  secret: string;
  property?: string;
  mapped: boolean;
}

/** Creates the API-mode source; connects on first use. */
export function createKubernetesApiSource(options: KubernetesApiOptions): SecretSource & Required<Pick<SecretSource, "getMany" | "set" | "setMany" | "delete" | "watch" | "check" | "remoteLocation" | "dispose">> {
  const sourceName = options.name;
  const access = createSecretAccess(options);
  const { readSecret, update, close } = access;
  const watch = createSecretWatch(watchOptions(options, access));
  const warned = new Set<string>();
  const locate = (name: string) => locateName(name, options, warned);
  const pick = (name: string, loc: Location, obj: SecretObject | undefined) => pickRecord(name, loc, obj, sourceName);

  /** The data key a write of `name` goes to in `data`. */
  const keyFor = (name: string, loc: Location, data: Record<string, string>) => loc.property ?? (loc.mapped ? (Object.keys(data).length === 1 ? Object.keys(data)[0]! : name) : (findHeldName(name, Object.keys(data).filter(isValidName)) ?? name));

  return {
    name: sourceName,
    async get(name) {
      assertValidName(name);
      const loc = locate(name);
      return pick(name, loc, await readSecret(loc.secret, name));
    },
    async getMany(names) {
      names.forEach((n) => assertValidName(n));
      const locs = names.map(locate);
      const objects = await readEach([...new Set(locs.map((l) => l.secret))], (s) => readSecret(s));
      return names.map((n, i) => pick(n, locs[i]!, objects.get(locs[i]!.secret)));
    },
    async list() {
      const refs = Object.entries(options.remoteRefs ?? {});
      const objects = await readEach([...new Set([options.secret, ...refs.map(([, r]) => r.key)])], (s) => readSecret(s));
      const names = new Set(dataKeys(objects.get(options.secret)).filter(isValidName));
      for (const [name] of refs) if (heldByRef(locate(name), objects.get(locate(name).secret))) names.add(name);
      return [...names];
    },
    async set(name, value) {
      assertValidName(name);
      const loc = locate(name);
      await update(loc.secret, (data) => ((data[keyFor(name, loc, data)] = b64(value)), true), name);
      return { name, value, source: sourceName };
    },
    async setMany(entries) {
      const seen = new Set<string>();
      for (const [name] of entries) {
        if (seen.has(envName(assertValidName(name)))) throw new HushError("INVALID_ARGUMENT", `${sourceName}: "${name}" is given twice in one batch; nothing was written.`, { source: sourceName });
        seen.add(envName(name));
      }
      const bySecret = new Map<string, [string, string, Location][]>();
      for (const [name, value] of entries) {
        const loc = locate(name);
        bySecret.set(loc.secret, [...(bySecret.get(loc.secret) ?? []), [name, value, loc]]);
      }
      // One replace per Secret: all or nothing within a Secret (across Secrets, each one on its own).
      for (const [secretName, items] of bySecret) await update(secretName, (data) => (items.forEach(([n, v, l]) => (data[keyFor(n, l, data)] = b64(v))), true));
      return entries.map(([name, value]) => ({ name, value, source: sourceName }));
    },
    async delete(name) {
      assertValidName(name);
      const loc = locate(name);
      return update(
        loc.secret,
        (data) => {
          const key = loc.property ?? findHeldName(name, Object.keys(data).filter(isValidName));
          if (key === undefined || !(key in data)) return false;
          delete data[key];
          return true;
        },
        name,
      );
    },
    remoteLocation: (name: string) => locationInfo(name, locate(name), options.connection.namespace),
    watch,
    async dispose() {
      watch.stopAll();
      await close();
    },
    check: () => checkSecret(options.secret, readSecret),
  };
}

// --- internal ---

/** `watch` follows the Secrets the source reads: the default one and every `remote.key` that can be a Secret's name. */
function watchOptions(options: KubernetesApiOptions, access: SecretWatchOptions["access"]): SecretWatchOptions {
  return {
    source: options.name,
    secrets: [...new Set([options.secret, ...Object.values(options.remoteRefs ?? {}).map((r) => r.key)])].filter(validSecretName),
    access,
    pollIntervalMs: options.watchIntervalMs ?? 10_000,
    timeoutMs: options.timeoutMs,
    ...(options.watchTimeoutSeconds !== undefined ? { timeoutSeconds: options.watchTimeoutSeconds } : {}),
    ...(options.onWarning ? { onWarning: options.onWarning } : {}),
  };
}

/** `doctor`'s live check: the default Secret read (or its absence), never a value. */
async function checkSecret(secret: string, readSecret: (name: string) => Promise<SecretObject | undefined>): Promise<SourceCheck> {
  try {
    const obj = await readSecret(secret);
    return { ok: true, detail: obj ? `secrets/${secret} readable (${dataKeys(obj).length} keys)` : `reachable; secrets/${secret} does not exist yet` };
  } catch (e) {
    return { ok: false, detail: e instanceof HushError ? `${e.code}: ${e.message}` : "unexpected error" };
  }
}

/** Where `name` lives: its `remote` entry, else the default Secret. */
function locateName(name: string, options: KubernetesApiOptions, warned: Set<string>): Location {
  const ref = options.remoteRefs?.[canonicalName(name)];
  if (!ref) return { secret: options.secret, mapped: false };
  if (!validSecretName(ref.key) && !warned.has(ref.key)) {
    warned.add(ref.key);
    options.onWarning?.(`${options.name}: secrets.${canonicalName(name)}.remote.key is not a Kubernetes Secret name; this source does not hold it.`);
  }
  return { secret: ref.key, ...(ref.property !== undefined ? { property: ref.property } : {}), mapped: true };
}

/** Where `name` lives, for `hush list --explain` (no API call). */
function locationInfo(name: string, loc: Location, namespace: string | undefined): RemoteLocationInfo {
  const property = loc.property ?? (loc.mapped ? undefined : canonicalName(name));
  return { key: loc.secret, ...(property !== undefined ? { property } : {}), mapped: loc.mapped, address: `${namespace ?? "<namespace>"}/secrets/${loc.secret}${property !== undefined ? `#${property}` : ""}` };
}

/** Whether a mapped name's Secret holds it (without reading its value): the property, else any key. */
function heldByRef(loc: Location, obj: SecretObject | undefined): boolean {
  const keys = dataKeys(obj);
  return loc.property !== undefined ? keys.includes(loc.property) : keys.length > 0;
}

/** The record of `name` in `obj` (already read), or undefined. */
function pickRecord(name: string, loc: Location, obj: SecretObject | undefined, sourceName: string): SecretRecord | undefined {
  if (!obj) return undefined;
  const where = { source: sourceName, operation: "read", path: `secrets/${loc.secret}`, secret: name };
  const keys = dataKeys(obj);
  let key: string | undefined;
  if (loc.property !== undefined) key = keys.includes(loc.property) ? loc.property : undefined;
  else if (loc.mapped) {
    // No property: the one key of a single-key Secret; several keys are refused, naming them.
    if (keys.length > 1) pickProperty(Object.fromEntries(keys.map((k) => [k, ""])), undefined, where);
    key = keys[0];
  } else key = findHeldName(name, keys.filter(isValidName), `the Secret ${loc.secret}`);
  if (key === undefined) return undefined;
  return { name, value: valueOf(obj, key, sourceName, loc.secret), source: sourceName, location: `secrets/${loc.secret}#${key}` };
}

/** Reads of distinct Secrets made at once, at most. */
const READ_CONCURRENCY = 8;

async function readEach(names: string[], read: (name: string) => Promise<SecretObject | undefined>): Promise<Map<string, SecretObject | undefined>> {
  const out = new Map<string, SecretObject | undefined>();
  for (let i = 0; i < names.length; i += READ_CONCURRENCY) {
    const batch = names.slice(i, i + READ_CONCURRENCY);
    (await Promise.all(batch.map(read))).forEach((obj, j) => out.set(batch[j]!, obj));
  }
  return out;
}

function dataKeys(obj: SecretObject | undefined): string[] {
  return obj ? [...new Set([...Object.keys(obj.data), ...Object.keys(obj.stringData ?? {})])] : [];
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** `stringData` wins over `data` (as the API server merges them); base64 decoded strictly. */
function valueOf(obj: SecretObject, key: string, sourceName: string, secretName: string): string {
  const text = obj.stringData?.[key];
  if (typeof text === "string") return text;
  const b64 = obj.data[key];
  if (typeof b64 !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || Buffer.from(b64, "base64").toString("base64") !== b64) {
    throw new HushError("BAD_REPLY", `${sourceName}: secrets/${secretName} key "${safeKey(key)}" is not canonical base64.`, { source: sourceName });
  }
  try {
    return UTF8.decode(Buffer.from(b64, "base64"));
  } catch {
    throw new HushError("INVALID_VALUE", `${sourceName}: secrets/${secretName} key "${safeKey(key)}" is not UTF-8 text; hush passes values on as text.`, { source: sourceName });
  }
}

function b64(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}

function safeKey(key: string): string {
  return /^[-._a-zA-Z0-9]{1,253}$/.test(key) ? key : "(a key)";
}
