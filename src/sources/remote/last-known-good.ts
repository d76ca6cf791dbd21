/**
 * Last-known-good values on disk, for any source (Vault, AWS, Google, PostgreSQL): each value read
 * is kept in a file encrypted under the environment's key (`loadEnvironmentKey`), 0600 in a 0700
 * folder. When the backend cannot be reached (SOURCE_UNAVAILABLE: down, sealed, timed out, 5xx
 * after the retries), a copy younger than `maxStalenessMs` is served with a warning and marked
 * `stale`; an older one is refused. It is never silent, and never used for any other failure: a
 * denial (ACCESS_DENIED) or a deletion (DELETED) throws, and drops the copy, so access revoked in
 * the backend is not served from disk.
 *
 * This is what Doppler's fallback file and Infisical's keyring backup give their users.
 *
 * @example
 * const source = withLastKnownGood(vault, { maxStalenessMs: 3_600_000, dir: join(secretsDir, "offline"), context });
 */
import { join } from "node:path";
import { HushError } from "../../errors.js";
import type { SecretRecord, SecretSource } from "../../types.js";
import type { SourceContext } from "../descriptor.js";
import { loadEnvironmentKey } from "../../keys/environment-key.js";
import type { FernetKey } from "../../crypto/fernet.js";
import { isUnavailable } from "./errors.js";
import { openCopyFile, type StoredRecord } from "./last-known-good-file.js";
import { copyCapabilities } from "./wrap.js";

/** Options of {@link withLastKnownGood}. */
export interface LastKnownGoodOptions {
  /** How old a copy may be and still be served. */
  maxStalenessMs: number;
  /** Folder of the copies (created 0700). @default `<secretsDir>/offline` */
  dir?: string;
  /** The project: secrets folder, environment and hush.yaml's key settings (for the key), and the warning sink. */
  context: Pick<SourceContext, "secretsDir" | "environment" | "onWarning"> & Partial<Pick<SourceContext, "keySettings" | "root" | "env">>;
  /** The key; @default loadEnvironmentKey(context) */
  loadKey?(): Promise<FernetKey>;
  /** For tests: the clock. @default Date.now */
  now?(): number;
}

/** Wraps `source` so its reads are kept on disk and served from there, with a warning, while the backend is unreachable. */
export function withLastKnownGood(source: SecretSource, options: LastKnownGoodOptions): SecretSource {
  const now = options.now ?? Date.now;
  const warn = options.context.onWarning;
  const file = openCopyFile({
    path: join(options.dir ?? join(options.context.secretsDir, "offline"), `${fileSafe(options.context.environment)}.${fileSafe(source.name)}.lkg`),
    source: source.name,
    environment: options.context.environment,
    loadKey: options.loadKey ?? (() => loadEnvironmentKey(keyContext(options.context))),
    onWarning: warn,
  });

  const remember = (name: string, record: SecretRecord | undefined) => {
    if (record) file.put(name, { ...record, stale: undefined }, now());
    else file.remove(name);
  };
  /** The copy of `name`, served with a warning, or the refusal; `cause` when there is no copy. */
  const fallback = async (name: string, cause: HushError): Promise<SecretRecord> => {
    const copy = await file.get(name);
    if (!copy) throw cause;
    const age = now() - copy.at;
    if (age > options.maxStalenessMs) {
      throw new HushError("SOURCE_UNAVAILABLE", `${source.name}: the backend is unreachable (${cause.message.replace(/\.$/, "")}), and the last-known-good copy of ${name} is ${duration(age)} old, older than maxStaleness (${duration(options.maxStalenessMs)}): not served.`, { source: source.name, secret: name, hint: "Bring the backend back, or raise offlineCache.maxStaleness in hush.yaml if an older value is acceptable." });
    }
    warn(`${source.name}: the backend is unreachable (${cause.code}); serving the last-known-good copy of ${name}, read ${duration(age)} ago (maxStaleness ${duration(options.maxStalenessMs)}).`);
    return toRecord(copy, name);
  };
  const onFailure = (names: readonly string[], e: unknown) => {
    if (e instanceof HushError && (e.code === "ACCESS_DENIED" || e.code === "DELETED")) for (const n of names) file.remove(n);
  };

  const wrapped: SecretSource = {
    name: source.name,
    async get(name) {
      try {
        const record = await source.get(name);
        remember(name, record);
        return record;
      } catch (e) {
        if (isUnavailable(e)) return fallback(name, e as HushError);
        onFailure([name], e);
        throw e;
      }
    },
    async list() {
      try {
        return await source.list();
      } catch (e) {
        if (!isUnavailable(e)) throw e;
        const names = await file.names();
        if (names.length === 0) throw e;
        warn(`${source.name}: the backend is unreachable (${(e as HushError).code}); listing the ${names.length} names of the last-known-good copies instead.`);
        return names;
      }
    },
  };
  wrapReadsAndWrites(source, wrapped, { remember, fallback, forget: (n) => file.remove(n) });
  // getPending as is: a pending version is never served from a copy (its failure is never "none").
  copyCapabilities(source, wrapped, ["setMany", "versions", "getVersion", "rollback", "stage", "getPending", "discardPending", "watch", "check", "remoteLocation"]);
  const dispose = source.dispose?.bind(source);
  wrapped.dispose = async () => {
    await file.flush();
    await dispose?.();
  };
  return wrapped;
}

// --- internal ---

/** What `loadEnvironmentKey` needs, from the source's context. */
function keyContext(c: LastKnownGoodOptions["context"]): Parameters<typeof loadEnvironmentKey>[0] {
  return { keySettings: c.keySettings, secretsDir: c.secretsDir, environment: c.environment, onWarning: c.onWarning, ...(c.root !== undefined ? { root: c.root } : {}), ...(c.env !== undefined ? { env: c.env } : {}) };
}

/** getMany, set and delete of `source` on `wrapped`, keeping copies as they go. */
function wrapReadsAndWrites(source: SecretSource, wrapped: SecretSource, copies: { remember(name: string, r: SecretRecord | undefined): void; fallback(name: string, cause: HushError): Promise<SecretRecord>; forget(name: string): void }): void {
  const { remember, fallback } = copies;
  if (source.getMany) {
    const many = source.getMany.bind(source);
    wrapped.getMany = async (names) => {
      try {
        const records = await many(names);
        names.forEach((n, i) => remember(n, records[i]));
        return records;
      } catch (e) {
        if (!isUnavailable(e)) {
          // Which name was denied is not known here: the manager asks name by name next, and `get` drops it.
          throw e;
        }
        return Promise.all(names.map((n) => fallback(n, e as HushError)));
      }
    };
  }
  if (source.set && source.delete) {
    const set = source.set.bind(source);
    const del = source.delete.bind(source);
    wrapped.set = async (name, value) => {
      const record = await set(name, value);
      remember(name, record);
      return record;
    };
    wrapped.delete = async (name) => {
      copies.forget(name);
      return del(name);
    };
  }
  if (source.promote) {
    const promote = source.promote.bind(source);
    wrapped.promote = async (name, version) => {
      const record = await promote(name, version);
      remember(name, record);
      return record;
    };
  }
}

function toRecord(copy: StoredRecord, name: string): SecretRecord {
  const read = new Date(copy.at).toISOString();
  return {
    name,
    value: copy.value,
    source: copy.source,
    ...(copy.version !== undefined ? { version: copy.version } : {}),
    ...(copy.updatedAt !== undefined ? { updatedAt: new Date(copy.updatedAt) } : {}),
    ...(copy.encoding !== undefined ? { encoding: copy.encoding } : {}),
    location: `${copy.location ?? copy.source} (last-known-good copy, read ${read})`,
    stale: true,
  };
}

/** `42 s`, `5 min`, `3 h`. */
export function duration(ms: number): string {
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 3_600_000)} h`;
}

/** A source or environment name as part of a file name. */
function fileSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 64);
}
