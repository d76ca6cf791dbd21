/**
 * Key providers: where an environment's key lives and how hush gets it (issue "Key custody").
 * A provider module exports a {@link KeyProviderDescriptor}, as a source module exports a
 * SourceDescriptor: hush.yaml's `keys: { prod: { provider: aws-kms, keyId: ... } }` names it, and
 * validation, doctor and the docs table read its options schema.
 *
 * Every provider yields the same thing: the environment's 32-byte key (a {@link FernetKey}: the
 * local store's Fernet key, and the root from which the PostgreSQL store derives its
 * key-encryption and name-HMAC keys). KMS providers are envelope mode: the key is kept wrapped
 * (ciphertext only) and the KMS unwraps it once per process.
 *
 * Errors are HushErrors, never "no key": KEY_MISSING (nothing stored), WRONG_KEY / MALFORMED_KEY,
 * INSECURE_PERMISSIONS, ACCESS_DENIED (the KMS refused), SOURCE_UNAVAILABLE (unreachable),
 * MISSING_DEPENDENCY (an optional SDK is not installed). A key never appears in any of them.
 */
import type { FernetKey } from "../crypto/fernet.js";
import type { InferOptions, OptionsSchema } from "../config/options-schema.js";

/** What every key provider factory gets from the project besides its options. */
export interface KeyProviderContext {
  /** Project folder (of hush.yaml). */
  root: string;
  /** The secrets folder in effect (`--secrets-dir`, else `<root>/.secrets`). */
  secretsDir: string;
  /** The environment whose key this is (`dev`, `prod`, ...). */
  environment: string;
  /** hush.yaml's top-level `project:` id, when set (the `user` provider's key folder; KMS providers may bind it as context). */
  project?: string;
  /** The process environment a provider may read (`HUSH_KEY_PROD`, `HUSH_PASSPHRASE`, SDK settings). @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Receives warnings (never keys or values). */
  onWarning: (message: string) => void;
}

/** Where a key lives, for `hush doctor` and docs (never the key). */
export interface KeyLocation {
  /** Provider type (`file`, `user`, `env`, `passphrase`, `aws-kms`, ...). */
  provider: string;
  /** One line: a path, a variable name, a KMS key id. */
  where: string;
  /** True when the key (or what opens it without further secrets) sits under the project folder. */
  insideProject: boolean;
}

/** A live check of a provider, for `hush doctor`. */
export interface KeyProviderCheck {
  ok: boolean;
  /** One line, never a key. */
  detail: string;
  /** Problems with their fix. */
  problems?: { message: string; fix: string }[];
}

/** One environment's key provider: a plain object made by a descriptor's factory. */
export interface KeyProvider {
  /** The provider type, as hush.yaml names it. */
  readonly type: string;
  /** Where the key lives; no I/O. */
  location(): KeyLocation;
  /** True when a key is stored (it may still fail to open). Never throws for "not there". */
  exists(): Promise<boolean>;
  /**
   * The environment's key: read, or unwrapped through the KMS (once per process: a provider
   * caches what it unwrapped). Throws KEY_MISSING when nothing is stored.
   */
  load(): Promise<FernetKey>;
  /**
   * Stores `key` (Fernet text, 44 characters) as this environment's key: creates it (init,
   * import, move) or, with `replace`, replaces an existing one (re-keying). Atomic; files 0600.
   */
  save(key: string, options?: { replace?: boolean }): Promise<void>;
  /** Removes the stored key (after a move); returns false when none was stored. */
  remove?(): Promise<boolean>;
  /** Live check for `hush doctor`. */
  check?(): Promise<KeyProviderCheck>;
  /**
   * Providers that keep a wrapped key in one file (KMS, Vault transit, passphrase): that file, and
   * this provider over another file (same KMS key, client, passphrase). `hush key rotate` wraps its
   * pending key there and reads it back through the provider (src/keys/rotation-keys.ts).
   */
  wrappedKeyFile?(): WrappedKeyFile;
}

/** See {@link KeyProvider.wrappedKeyFile}. */
export interface WrappedKeyFile {
  /** The wrapped-key file. */
  path: string;
  /** The same provider over `path` (a fresh cache: its `load` unwraps that file). */
  at(path: string): KeyProvider;
}

/** A key provider type as hush.yaml names it: its options schema, its factory and a one-line summary. */
export interface KeyProviderDescriptor<S extends OptionsSchema = OptionsSchema> {
  /** `provider:` in hush.yaml: lower-case letters, digits and `-`. */
  readonly type: string;
  /** One line for `hush doctor` and docs/keys.md. */
  readonly summary: string;
  /** The options schema (besides `provider`). */
  readonly options: S;
  /** Makes the provider; connects lazily (no SDK is loaded before `load`/`save`). */
  create(options: InferOptions<S>, context: KeyProviderContext): KeyProvider;
}

/** Returns `descriptor` as is; it only lets TypeScript infer the options' type from the schema. */
export function defineKeyProviderType<const S extends OptionsSchema>(descriptor: KeyProviderDescriptor<S>): KeyProviderDescriptor<S> {
  return descriptor;
}
