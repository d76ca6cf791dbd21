/**
 * Reads and read-modify-replace writes of Secrets through the narrow client: retries, the error
 * mapping, and one new login on a 401 (a fresh client re-reads the rotated token file).
 */
import { HushError } from "../../errors.js";
import { withRetries } from "../remote/retry.js";
import { createSecretsClient, type KubernetesSecretsClient, type SecretObject, type WatchFrom, type WatchStream } from "./client.js";
import { isConflict, isNotFound, kubernetesError, retryKubernetes, type KubernetesWhere } from "./errors.js";
import type { KubernetesApiOptions } from "./api.js";
import { sleepJitter } from "../remote/jitter.js";

/** What the source does with Secrets. */
export interface SecretAccess {
  /** The Secret, or undefined when it does not exist (or its name cannot be a Secret's). */
  readSecret(secretName: string, secret?: string): Promise<SecretObject | undefined>;
  /** Applies `change` to the Secret's base64 `data` and writes it; false (nothing written) when `change` says so. */
  update(secretName: string, change: (data: Record<string, string>) => boolean, secret?: string): Promise<boolean>;
  /**
   * Opens a watch of one Secret (./watch.ts drives it). Rejects with what the client threw (map it
   * with `watchError`; `statusCodeOf` tells a 403 or a 410 apart); a 401 drops the client, so the
   * next attempt logs in again (a fresh client re-reads the token file).
   */
  openWatch(secretName: string, from: WatchFrom, onEvent: (type: string, object: unknown) => void): Promise<WatchStream>;
  /** The HushError (verb `watch`) for a watch that failed to open or broke (an ERROR event's Status, a cut stream). */
  watchError(secretName: string, e: unknown): Promise<HushError>;
  /** Closes the client's kept-alive connections; the next call connects again. Idempotent. */
  close(): Promise<void>;
}

/** The access of one source; connects on first use. */
export function createSecretAccess(options: KubernetesApiOptions): SecretAccess {
  const sourceName = options.name;
  let client: Promise<KubernetesSecretsClient> | undefined;
  const connect = () => (client ??= createSecretsClient(options.connection, sourceName).catch((e: unknown) => ((client = undefined), Promise.reject(e))));

  /** One API call with retries; a 401 rebuilds the client once (the kubelet rotated the token file). */
  async function call<T>(verb: KubernetesWhere["verb"], secretName: string, secret: string | undefined, fn: (c: KubernetesSecretsClient) => Promise<T>): Promise<T> {
    const c = await connect();
    const where: KubernetesWhere = { source: sourceName, operation: verb, path: `${c.namespace}/secrets/${secretName}`, verb, namespace: c.namespace, secretName, ...(secret ? { secret } : {}) };
    const attempt = (cl: KubernetesSecretsClient) => withRetries<T>(() => fn(cl), { operation: `${verb} secrets/${secretName}`, retryOn: retryKubernetes, ...options.retry });
    try {
      return await attempt(c);
    } catch (e) {
      if ((e as { code?: unknown }).code !== 401) throw isNotFound(e) || isConflict(e) ? e : kubernetesError(e, where, options.timeoutMs);
      c.close();
      client = undefined; // log in again: a fresh client re-reads the token file
      try {
        return await attempt(await connect());
      } catch (again) {
        throw isNotFound(again) || isConflict(again) ? again : kubernetesError(again, where, options.timeoutMs);
      }
    }
  }

  /** The Secret, or undefined when it does not exist. */
  async function readSecret(secretName: string, secret?: string): Promise<SecretObject | undefined> {
    if (!validSecretName(secretName)) return undefined;
    try {
      return await call("get", secretName, secret, (c) => c.read(secretName, options.timeoutMs));
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** Read-modify-replace of one Secret, started again on a resourceVersion conflict. */
  /** Writes to one Secret from this process, one after another (each waits for the one before). */
  const queues = new Map<string, Promise<unknown>>();
  function update(secretName: string, change: (data: Record<string, string>) => boolean, secret?: string): Promise<boolean> {
    const before = queues.get(secretName) ?? Promise.resolve();
    const mine = before.then(() => updateNow(secretName, change, secret));
    const settled = mine.catch(() => undefined);
    queues.set(secretName, settled);
    void settled.then(() => queues.get(secretName) === settled && queues.delete(secretName));
    return mine;
  }

  async function updateNow(secretName: string, change: (data: Record<string, string>) => boolean, secret?: string): Promise<boolean> {
    for (let attempt = 0; attempt < MAX_CONFLICT_RETRIES; attempt++) {
      // Another writer won the last round: wait a jittered, growing while so the rounds spread out.
      if (attempt > 0) await sleepJitter(Math.min(500, 20 * 2 ** attempt));
      const obj = await readSecret(secretName, secret);
      const data = obj ? base64Data(obj) : {};
      if (!change(data)) return false;
      try {
        const body: SecretObject = { name: secretName, data, ...(obj?.resourceVersion ? { resourceVersion: obj.resourceVersion } : {}) };
        if (obj) await call("update", secretName, secret, (c) => c.replace(body, options.timeoutMs));
        else await call("create", secretName, secret, (c) => c.create(body, options.timeoutMs));
        return true;
      } catch (e) {
        if (!isConflict(e) && !isNotFound(e)) throw e; // 409: someone wrote first; 404: deleted in between
      }
    }
    throw new HushError("CONCURRENT_MODIFICATION", `${sourceName}: secrets/${secretName} kept changing under ${MAX_CONFLICT_RETRIES} writes (resourceVersion conflicts).`, { source: sourceName, ...(secret ? { secret } : {}) });
  }

  async function close(): Promise<void> {
    const open = client;
    client = undefined;
    if (open) (await open.catch(() => undefined))?.close();
  }

  const { openWatch, watchError } = watchCalls(options, connect, (c) => {
    if (client === undefined) return;
    c.close();
    client = undefined; // log in again: a fresh client re-reads the token file
  });
  return { readSecret, update, openWatch, watchError, close };
}

/** Secret names are DNS subdomains (RFC 1123): anything else cannot be in the API. */
export function validSecretName(name: string): boolean {
  return name.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(name);
}

/** The HTTP status a failure carries: the SDK's Watch error (`statusCode`), an ERROR event's Status (`code`). */
export function statusCodeOf(e: unknown): number | undefined {
  const o = e as { statusCode?: unknown; code?: unknown } | undefined;
  if (typeof o?.statusCode === "number") return o.statusCode;
  return typeof o?.code === "number" ? o.code : undefined;
}

// --- internal ---

/** `openWatch` and `watchError` of {@link createSecretAccess}; `relogin` drops a client refused with 401. */
function watchCalls(options: KubernetesApiOptions, connect: () => Promise<KubernetesSecretsClient>, relogin: (c: KubernetesSecretsClient) => void): Pick<SecretAccess, "openWatch" | "watchError"> {
  const sourceName = options.name;
  return {
    async openWatch(secretName, from, onEvent) {
      const c = await connect();
      try {
        return await c.watch(secretName, from, onEvent);
      } catch (e) {
        if (statusCodeOf(e) === 401) relogin(c);
        throw e;
      }
    },
    async watchError(secretName, e) {
      const c = await connect();
      const where: KubernetesWhere = { source: sourceName, operation: "watch", path: `${c.namespace}/secrets/${secretName}`, verb: "watch", namespace: c.namespace, secretName };
      const code = statusCodeOf(e);
      // The SDK's Watch throws an Error with `statusCode` (the reply's Status body is not kept).
      return kubernetesError(code !== undefined ? { code, headers: {}, body: (e as { body?: unknown }).body } : e, where, options.timeoutMs);
    },
  };
}

const MAX_CONFLICT_RETRIES = 8;

/** A Secret's `data` for a rewrite, base64 as is (other keys, binary ones too, are kept byte for byte), `stringData` folded in. */
function base64Data(obj: SecretObject): Record<string, string> {
  const out: Record<string, string> = { ...obj.data };
  for (const [key, text] of Object.entries(obj.stringData ?? {})) out[key] = Buffer.from(text, "utf8").toString("base64");
  return out;
}
