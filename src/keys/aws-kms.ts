/**
 * The `aws-kms` key provider: envelope mode. The environment's key is kept only as an AWS KMS
 * ciphertext, in a file in the secrets folder (0600, in the 0700 folder); the KMS key that wraps
 * it never leaves KMS. hush calls Decrypt once per process (the provider caches what it
 * unwrapped, and two loads at once make one call) and Encrypt when a key is saved.
 *
 * ```yaml
 * keys:
 *   prod: { provider: aws-kms, keyId: alias/hush-prod, region: eu-west-1 }
 * ```
 *
 * The ciphertext is bound to the environment by KMS's encryption context
 * (`hush:environment`, `hush:purpose`), so prod's wrapped key copied over dev's does not open.
 * Anything that reads the project folder gets a ciphertext only: opening it takes the IAM
 * permission kms:Decrypt on the key (and CloudTrail records each Decrypt).
 *
 * Errors: nothing stored is KEY_MISSING; a file others can read INSECURE_PERMISSIONS; a damaged
 * file MALFORMED_KEY; a ciphertext of another key or environment WRONG_KEY; KMS refusing
 * ACCESS_DENIED; a disabled or missing KMS key KMS_DECRYPT_FAILED; KMS unreachable or slow
 * SOURCE_UNAVAILABLE (after bounded retries). Never "no key", never a fresh key.
 */
import { dirname, join, resolve } from "node:path";
import { HushError } from "../errors.js";
import { parseFernetKey, type FernetKey } from "../crypto/fernet.js";
import { ensureSecretsDir } from "../crypto/key-file.js";
import { assertValidEnvironment } from "../environment.js";
import { writeFileAtomic } from "../fs/atomic-write.js";
import { checkPrivate } from "../fs/permissions.js";
import { readTrustedFile } from "../fs/read-trusted-file.js";
import { option } from "../config/options-schema.js";
import { durationOption } from "../sources/remote/options.js";
import { defineKeyProviderType, type KeyProvider, type KeyProviderCheck, type KeyProviderContext } from "./provider.js";
import { createKeyFileExclusive } from "./_file-backed.js";
import { createKmsClient, type KmsClient } from "./aws-kms/kms-client.js";
import { keyFileExists, keyMemo, removeKeyFile } from "./key-memo.js";

/** Options of the `aws-kms` provider. */
export interface AwsKmsKeyProviderOptions {
  /** The KMS key that wraps the environment's key: a key id, ARN, or `alias/NAME`. */
  keyId: string;
  /** AWS region. @default the SDK's (AWS_REGION, the profile's region) */
  region?: string;
  /** Shared-config profile. @default the SDK's */
  profile?: string;
  /** KMS endpoint URL (a VPC endpoint, a test server). @default the SDK's (AWS_ENDPOINT_URL_KMS, else AWS's) */
  endpoint?: string;
  /** The wrapped-key file, relative to the project. @default `<secrets folder>/<env>.key.aws-kms` */
  file?: string;
  /** Per-request timeout in ms. @default 10000 */
  timeout?: number;
  /** The client (tests). @default the SDK client, made on first use */
  client?: KmsClient;
}

/** `provider: aws-kms` in hush.yaml. */
export const awsKmsKeyProviderType = defineKeyProviderType({
  type: "aws-kms",
  summary: "the key wrapped by an AWS KMS key (envelope mode): only a ciphertext is on disk; unwrapped once per process",
  options: {
    keyId: option.string({ description: "the KMS key: key id, ARN or `alias/NAME`" }),
    region: option.string({ description: "AWS region", docDefault: "AWS_REGION or the profile's" }),
    profile: option.string({ description: "shared-config profile", docDefault: "AWS_PROFILE or `default`" }),
    endpoint: option.string({ description: "KMS endpoint URL (VPC endpoint, test server)", docDefault: "AWS's" }),
    file: option.path({ description: "the wrapped-key file, relative to hush.yaml", docDefault: "<secrets folder>/<env>.key.aws-kms" }),
    timeout: durationOption({ description: "per-request timeout", default: 10_000, docDefault: "10s", maxMs: 600_000 }),
  },
  create: (options, context) => createAwsKmsKeyProvider(options as AwsKmsKeyProviderOptions, context),
});

const PROVIDER_TYPE = "aws-kms";
/** The wrapped-key file's format version. */
const FORMAT = "hush-aws-kms-v1";
const MAX_FILE_BYTES = 16 * 1024;

/** Creates the `aws-kms` provider of `context.environment`. */
export function createAwsKmsKeyProvider(options: AwsKmsKeyProviderOptions, context: KeyProviderContext): KeyProvider {
  if (typeof options.keyId !== "string" || options.keyId.trim() === "") {
    throw new HushError("CONFIG_INVALID", `The aws-kms key provider of ${context.environment} needs a \`keyId\`.`, { hint: "Add `keyId: alias/<name>` (or the key's ARN) under keys.<env> in hush.yaml." });
  }
  assertValidEnvironment(context.environment);
  const keyId = options.keyId;
  const path = options.file !== undefined ? resolve(context.root, options.file) : join(context.secretsDir, `${context.environment}.key.aws-kms`);
  const encryptionContext = { "hush:environment": context.environment, "hush:purpose": "environment-key" };
  const client = options.client ?? createKmsClient({ region: options.region, profile: options.profile, endpoint: options.endpoint, timeoutMs: options.timeout ?? 10_000, attempts: 3 });
  const memo = keyMemo();

  async function unwrap(): Promise<FernetKey> {
    const stored = readWrapped(path);
    const plaintext = await client.decrypt(keyId, stored, encryptionContext);
    try {
      if (plaintext.length !== 32) throw new HushError("WRONG_KEY", `The key unwrapped from ${path} is ${plaintext.length} bytes, not 32.`);
      // A Fernet key's text: url-safe base64 with its padding (44 characters).
      return parseFernetKey(plaintext.toString("base64").replaceAll("+", "-").replaceAll("/", "_"));
    } finally {
      plaintext.fill(0);
    }
  }

  return {
    type: PROVIDER_TYPE,
    location: () => ({ provider: PROVIDER_TYPE, where: `AWS KMS key ${keyId}; wrapped key in ${path}`, insideProject: false }),
    async exists() {
      return keyFileExists(path);
    },
    load() {
      // One Decrypt per provider (per process), also when two callers ask at once.
      return memo.get(unwrap);
    },
    async save(key, saveOptions = {}) {
      const parsed = parseFernetKey(key); // MALFORMED_KEY before any call or write
      const raw = Buffer.concat([parsed.signingKey, parsed.encryptionKey]);
      let wrapped;
      try {
        wrapped = await client.encrypt(keyId, raw, encryptionContext);
      } finally {
        raw.fill(0);
      }
      const text = JSON.stringify({ format: FORMAT, keyId: wrapped.keyArn ?? keyId, environment: context.environment, ciphertext: wrapped.ciphertext.toString("base64") });
      if (options.file === undefined) ensureSecretsDir(dirname(path));
      if (saveOptions.replace) await writeFileAtomic(path, `${text}\n`, { mode: 0o600 });
      else createKeyFileExclusive(path, text, context.environment);
      memo.set(parsed);
    },
    async remove() {
      memo.set(undefined);
      return removeKeyFile(path, "the wrapped key file");
    },
    check: () => checkProvider(path, keyId, unwrap),
    wrappedKeyFile: () => ({ path, at: (other) => createAwsKmsKeyProvider({ ...options, file: other, client }, context) }),
  };
}

// --- internal ---

/** The ciphertext kept in `path`, after the permission checks; KEY_MISSING when there is none. */
function readWrapped(path: string): Buffer {
  checkPrivate(dirname(path), "dir", "strict");
  if (!checkPrivate(path, "file", "strict")) throw new HushError("KEY_MISSING", `No wrapped key at ${path}.`);
  let bytes: Buffer | undefined;
  try {
    bytes = readTrustedFile(path, { maxBytes: MAX_FILE_BYTES, what: "the wrapped-key file" });
  } catch (e) {
    if (e instanceof HushError && e.code === "LIMIT_EXCEEDED") throw malformed(path, "too large");
    throw e;
  }
  if (bytes === undefined) throw new HushError("KEY_MISSING", `No wrapped key at ${path}.`);
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw malformed(path, "not JSON"); // the parser's message would quote the file: never passed on
  }
  const d = doc as { format?: unknown; ciphertext?: unknown };
  if (d?.format !== FORMAT || typeof d.ciphertext !== "string" || !/^[A-Za-z0-9+/]+={0,2}$/.test(d.ciphertext)) throw malformed(path, `not a ${FORMAT} file`);
  return Buffer.from(d.ciphertext, "base64");
}

function malformed(path: string, why: string): HushError {
  return new HushError("MALFORMED_KEY", `Malformed wrapped-key file ${path}: ${why}.`, { hint: "Restore the file from backup; it holds only a KMS ciphertext, so a backup copy is safe to keep." });
}

async function checkProvider(path: string, keyId: string, unwrap: () => Promise<FernetKey>): Promise<KeyProviderCheck> {
  try {
    await unwrap();
    return { ok: true, detail: `aws-kms: ${keyId} unwraps ${path}` };
  } catch (e) {
    const err = e instanceof HushError ? e : new HushError("SOURCE_UNAVAILABLE", `AWS KMS could not be asked to unwrap ${path}.`, { cause: e });
    return { ok: false, detail: `aws-kms: ${err.code}`, problems: [{ message: err.message, fix: err.hint }] };
  }
}
