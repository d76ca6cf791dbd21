/**
 * The `gcp-kms` key provider: envelope mode with Google Cloud KMS. The environment's key is kept
 * only as a Cloud KMS ciphertext, in `<secrets folder>/<env>.gcp-kms.json` (0600), and hush asks
 * KMS to unwrap it once per process; the crypto key itself never leaves KMS. Copying the project
 * folder (an agent, a backup, `cp -r`) copies a ciphertext that opens nothing without the caller's
 * KMS permission.
 *
 * ```yaml
 * keys:
 *   prod:
 *     provider: gcp-kms
 *     keyName: projects/my-project/locations/europe-west1/keyRings/hush/cryptoKeys/prod
 * ```
 *
 * The ciphertext is bound to the environment (additional authenticated data `hush:<env>`), so a
 * file copied to another environment does not open. A KMS that refuses is ACCESS_DENIED and one
 * that cannot be reached is SOURCE_UNAVAILABLE: never "no key", never a fresh key. The SDK
 * (`@google-cloud/kms`) is an optional peer dependency loaded on first use.
 */
import { HushError } from "../errors.js";
import { kindOf, type OptionField } from "../config/options-schema.js";
import { parseFernetKey, type FernetKey } from "../crypto/fernet.js";
import { ensureSecretsDir } from "../crypto/key-file.js";
import { writeFileAtomic } from "../fs/atomic-write.js";
import { createKeyFileExclusive } from "./_file-backed.js";
import { defineKeyProviderType, type KeyProvider, type KeyProviderCheck, type KeyProviderContext } from "./provider.js";
import { createKmsWrapper, type KmsWrapper } from "./gcp-kms/kms-client.js";
import { formatWrappedKey, KEY_NAME, readWrappedKey, wrappedKeyPath } from "./gcp-kms/wrapped-file.js";
import { keyFileExists, keyMemo, removeKeyFile } from "./key-memo.js";

/** Options of the `gcp-kms` provider. */
export interface GcpKmsKeyProviderOptions {
  /** The crypto key: `projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>`. */
  keyName: string;
  /** The API's URL (https; http only to loopback, for tests). @default https://cloudkms.googleapis.com */
  endpoint?: string;
  /** Per-request timeout, ms. @default 10000 */
  timeoutMs?: number;
  /** Most attempts per call. @default 3 */
  attempts?: number;
  /** The wrapped-key file (the pending key of a re-key). @default <secrets folder>/<env>'s wrapped-key file */
  file?: string;
}

const keyNameField: OptionField<string, false> = {
  docType: "crypto key name",
  description: "the Cloud KMS key that wraps the environment's key: projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k> (required)",
  check(value, path, add) {
    if (typeof value === "string" && KEY_NAME.test(value)) return value;
    add(path, `expected a Cloud KMS crypto key name projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>, got ${typeof value === "string" ? "another string" : kindOf(value)}.`);
    return undefined;
  },
};
const endpointField: OptionField<string, false> = {
  docType: "URL",
  description: "Cloud KMS API URL (https; http only to loopback)",
  docDefault: "https://cloudkms.googleapis.com",
  check(value, path, add) {
    if (typeof value === "string" && /^https?:\/\/[^\s/]+\/?$/.test(value)) return value;
    add(path, `expected a URL such as https://cloudkms.googleapis.com, got ${typeof value === "string" ? "another string" : kindOf(value)}.`);
    return undefined;
  },
};

/** `provider: gcp-kms` in hush.yaml. */
export const gcpKmsKeyProviderType = defineKeyProviderType({
  type: "gcp-kms",
  summary: "envelope mode: the key kept only as a Cloud KMS ciphertext, unwrapped once per process (`@google-cloud/kms`)",
  options: { keyName: keyNameField, endpoint: endpointField },
  create: (options, context) => {
    if (options.keyName === undefined) throw new HushError("CONFIG_INVALID", `The gcp-kms key provider of ${context.environment} needs keyName (projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>).`);
    return createGcpKmsKeyProvider({ keyName: options.keyName, ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}) }, context);
  },
});

const PROVIDER_TYPE = "gcp-kms";

/** Creates the `gcp-kms` provider of `context.environment`. */
export function createGcpKmsKeyProvider(options: GcpKmsKeyProviderOptions, context: KeyProviderContext): KeyProvider {
  if (!KEY_NAME.test(options.keyName)) throw new HushError("CONFIG_INVALID", `The gcp-kms key provider of ${context.environment}: keyName is not a Cloud KMS crypto key name.`);
  // The client (SDK loaded on its first call; it holds credentials and tokens, never a key) is shared
  // with the providers `wrappedKeyFile().at()` makes: the pending key of `hush key rotate`.
  const kms = createKmsWrapper({ keyName: options.keyName, env: context.env ?? process.env, timeoutMs: options.timeoutMs ?? 10_000, attempts: options.attempts ?? 3, ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}) });
  return gcpKmsKeyProvider(options, context, kms);
}

// --- internal ---

function gcpKmsKeyProvider(options: GcpKmsKeyProviderOptions, context: KeyProviderContext, kms: KmsWrapper): KeyProvider {
  const path = options.file ?? wrappedKeyPath(context.secretsDir, context.environment);
  const aad = Buffer.from(`hush:${context.environment}`, "utf8");
  const memo = keyMemo();

  async function unwrap(): Promise<FernetKey> {
    const wrapped = readWrappedKey(path);
    if (!wrapped) throw new HushError("KEY_MISSING", `No wrapped key for ${context.environment} at ${path} (gcp-kms).`, { hint: "Restore the file from your backup (it opens only through the KMS key), or import a key with `hush key import`." });
    if (wrapped.keyName !== options.keyName) {
      throw new HushError("WRONG_KEY", `The wrapped key at ${path} was wrapped by ${wrapped.keyName}, not by the configured ${options.keyName}.`, { hint: "Set keyName in hush.yaml to the key that wrapped it, or restore the file made with the configured key." });
    }
    const raw = await kms.unwrap(wrapped.ciphertext, aad);
    if (raw.length !== 32) throw new HushError("MALFORMED_KEY", `The key unwrapped from ${path} is ${raw.length} bytes, not 32.`);
    return { signingKey: raw.subarray(0, 16), encryptionKey: raw.subarray(16, 32) };
  }

  return {
    type: PROVIDER_TYPE,
    location: () => ({ provider: PROVIDER_TYPE, where: `${options.keyName} (wrapped key: ${path})`, insideProject: false }),
    async exists() {
      return keyFileExists(path);
    },
    load() {
      // One KMS call per process, also when two callers ask at once; a failure is not cached.
      return memo.get(unwrap);
    },
    async save(key, saveOptions = {}) {
      const parsed = parseFernetKey(key); // MALFORMED_KEY before anything is sent or written
      ensureSecretsDir(context.secretsDir);
      const ciphertext = await kms.wrap(Buffer.concat([parsed.signingKey, parsed.encryptionKey]), aad);
      const text = formatWrappedKey({ keyName: options.keyName, ciphertext }).trimEnd();
      if (saveOptions.replace) await writeFileAtomic(path, `${text}\n`, { mode: 0o600 });
      else createKeyFileExclusive(path, text, context.environment);
      memo.set(parsed);
    },
    async remove() {
      memo.set(undefined);
      return removeKeyFile(path, "the wrapped key file");
    },
    async check(): Promise<KeyProviderCheck> {
      try {
        await this.load();
        return { ok: true, detail: `gcp-kms: ${options.keyName} unwraps ${path}` };
      } catch (e) {
        const err = e instanceof HushError ? e : new HushError("SOURCE_UNAVAILABLE", "gcp-kms: the check failed.", { cause: e });
        return { ok: false, detail: `gcp-kms: ${err.code}`, problems: [{ message: err.message, fix: err.hint }] };
      }
    },
    // A provider over another file (the pending key): its own memo (a real unwrap), the same client.
    wrappedKeyFile: () => ({ path, at: (other) => gcpKmsKeyProvider({ ...options, file: other }, context, kms) }),
  };
}
