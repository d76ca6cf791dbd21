/**
 * An in-memory key provider shaped like a KMS provider: it keeps the key "wrapped" under a
 * key-encryption key (AES-256-GCM on node:crypto), counts backend calls, and can be made to deny,
 * be unreachable, hold a damaged blob, be wrapped under another KEK or be readable by others.
 * It runs the whole key-provider conformance suite with no skip (test/keys/memory.test.ts), and
 * with `bugs` it misbehaves on purpose so test/keys/conformance.meta.test.ts can show the suite
 * catches each misbehaviour.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { HushError } from "../../src/errors.js";
import { parseFernetKey, type FernetKey } from "../../src/crypto/fernet.js";
import type { KeyProvider } from "../../src/keys/provider.js";

/** The backend the providers share (as a KMS and its stored blob). */
export interface MemoryKeyBackend {
  kek: Buffer;
  blob?: Buffer;
  calls: number;
  state: "ok" | "denied" | "unreachable" | "lax";
}

/** Deliberate bugs, each of which one conformance case must catch. */
export interface MemoryKeyBugs {
  noCache?: boolean;
  overwrite?: boolean;
  missingOnFailure?: boolean;
  keyInMessage?: boolean;
  staleAfterReplace?: boolean;
}

/** A fresh backend with its own KEK. */
export function createMemoryKeyBackend(): MemoryKeyBackend {
  return { kek: randomBytes(32), calls: 0, state: "ok" };
}

/** A provider over `backend`. */
export function createMemoryKeyProvider(backend: MemoryKeyBackend, bugs: MemoryKeyBugs = {}): KeyProvider {
  let cached: FernetKey | undefined;
  let loading: Promise<FernetKey> | undefined;
  const unwrap = async (): Promise<FernetKey> => {
    await new Promise((r) => setImmediate(r)); // a round trip
    backend.calls++;
    const fail = (code: "ACCESS_DENIED" | "SOURCE_UNAVAILABLE" | "INSECURE_PERMISSIONS" | "WRONG_KEY" | "MALFORMED_KEY", what: string) => {
      if (bugs.missingOnFailure) throw new HushError("KEY_MISSING", "No key (memory).");
      throw new HushError(code, `The memory KMS ${what}.`);
    };
    if (backend.state === "denied") fail("ACCESS_DENIED", "refused the unwrap");
    if (backend.state === "unreachable") fail("SOURCE_UNAVAILABLE", "is unreachable");
    if (backend.state === "lax") fail("INSECURE_PERMISSIONS", "key is readable by others");
    if (!backend.blob) throw new HushError("KEY_MISSING", "No key in the memory KMS.");
    if (backend.blob.length !== 12 + 44 + 16) fail("MALFORMED_KEY", "blob is damaged");
    try {
      const d = createDecipheriv("aes-256-gcm", backend.kek, backend.blob.subarray(0, 12));
      d.setAuthTag(backend.blob.subarray(-16));
      const text = Buffer.concat([d.update(backend.blob.subarray(12, -16)), d.final()]).toString("latin1");
      return parseFernetKey(text);
    } catch (e) {
      if (e instanceof HushError) throw e;
      return fail("WRONG_KEY", "blob opens with another key");
    }
  };
  return {
    type: "memory",
    location: () => ({ provider: "memory", where: "memory KMS", insideProject: false }),
    exists: async () => backend.blob !== undefined,
    load() {
      if (cached && !bugs.noCache) return Promise.resolve(cached);
      if (bugs.noCache) return unwrap();
      loading ??= unwrap().then(
        (k) => (cached = k),
        (e: unknown) => {
          loading = undefined;
          throw e;
        },
      );
      return loading;
    },
    async save(key, options = {}) {
      if (bugs.keyInMessage && backend.blob) throw new HushError("KEY_EXISTS", `Not storing ${key}: a key is already stored.`);
      const parsed = parseFernetKey(key);
      if (backend.blob && !options.replace && !bugs.overwrite) throw new HushError("KEY_EXISTS", "A key is already stored in the memory KMS.");
      const iv = randomBytes(12);
      const c = createCipheriv("aes-256-gcm", backend.kek, iv);
      const body = Buffer.concat([c.update(key.trim(), "latin1"), c.final()]);
      backend.blob = Buffer.concat([iv, body, c.getAuthTag()]);
      if (!bugs.staleAfterReplace) cached = parsed;
      loading = undefined;
    },
  };
}
