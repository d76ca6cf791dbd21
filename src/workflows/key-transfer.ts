/**
 * `hush key export` and `hush key import`: an environment's key moved between machines in a
 * passphrase-protected bundle (the wrap format of src/keys/passphrase-wrap.ts, purpose
 * `export`), safer than copying a key file: the bundle opens nothing without its passphrase, and
 * it is bound to its environment.
 *
 * Import stores the key through the environment's provider (hush.yaml's `keys:`). Over an
 * existing, different key it refuses unless `force`; then it first keeps the old key, wrapped
 * under the same passphrase, beside the store (a store written with the old key must stay
 * openable: FAULTS 26), and says what it replaced.
 */
import { createHash } from "node:crypto";
import { lstatSync } from "node:fs";
import { join, resolve } from "node:path";
import { HushError } from "../errors.js";
import type { FernetKey } from "../crypto/fernet.js";
import { writeFileAtomic } from "../fs/atomic-write.js";
import { readTrustedFile } from "../fs/read-trusted-file.js";
import { loadEnvironmentKey, resolveKeyProvider } from "../keys/environment-key.js";
import { MAX_WRAPPED_KEY_BYTES, unwrapKeyWithPassphrase, wrapKeyWithPassphrase, type ScryptParams } from "../keys/passphrase-wrap.js";
import { obtainPassphrase, type ObtainPassphraseOptions } from "../keys/passphrase-input.js";
import type { ProjectOptions } from "./project.js";
import { resolveKeyScope } from "./key-scope.js";

/** Options of {@link exportEnvironmentKey}. */
export interface ExportEnvironmentKeyOptions extends ProjectOptions {
  /** Write the bundle here (0600, never over an existing file); else it is returned. */
  output?: string;
  /** The terminal for the passphrase prompt. @default process.stdin / process.stderr */
  tty?: ObtainPassphraseOptions["tty"];
  /** Tests only: cheaper scrypt parameters. @default N=2^16, r=8, p=1 */
  scryptParams?: ScryptParams;
}

/** What {@link exportEnvironmentKey} made. */
export interface KeyExportResult {
  environment: string;
  /** The bundle (JSON text) when no `output` was given. */
  bundle?: string;
  /** The file written. */
  output?: string;
  /** A short, non-secret identifier of the key (compare two machines' keys with it). */
  fingerprint: string;
}

/**
 * Writes the environment's key as a passphrase-protected bundle. The passphrase: HUSH_PASSPHRASE,
 * else asked twice on the terminal.
 *
 * @example
 * await exportEnvironmentKey({ environment: "prod", output: "prod.hushkey" });
 */
export async function exportEnvironmentKey(options: ExportEnvironmentKeyOptions): Promise<KeyExportResult> {
  const scope = await resolveKeyScope(options);
  const output = options.output === undefined ? undefined : resolve(options.cwd ?? process.cwd(), options.output);
  if (output !== undefined && lstatSync(output, { throwIfNoEntry: false })) {
    throw new HushError("INVALID_ARGUMENT", `${output} already exists; hush does not write a bundle over a file.`, { hint: "Pick another --output, or remove the file first." });
  }
  const key = await loadEnvironmentKey(scope);
  const passphrase = await obtainPassphrase({ env: scope.env, prompt: `Passphrase for the bundle of ${scope.environment}: `, confirm: true, tty: options.tty });
  const bundle = await wrapKeyWithPassphrase(rawOf(key), passphrase, { purpose: "export", environment: scope.environment, params: options.scryptParams });
  const fingerprint = keyFingerprint(key);
  if (output === undefined) return { environment: scope.environment, bundle, fingerprint };
  await writeFileAtomic(output, bundle, { mode: 0o600, beforeRename: () => assertAbsent(output) });
  return { environment: scope.environment, output, fingerprint };
}

/** Options of {@link importEnvironmentKey}. */
export interface ImportEnvironmentKeyOptions extends ProjectOptions {
  /** The bundle `hush key export` wrote. */
  file: string;
  /** Replace an existing, different key (the old one is kept beside the store first). @default false */
  force?: boolean;
  /** The terminal for the passphrase prompt. @default process.stdin / process.stderr */
  tty?: ObtainPassphraseOptions["tty"];
}

/** What {@link importEnvironmentKey} did. */
export interface KeyImportResult {
  environment: string;
  /** The provider that stores the key, and where. */
  provider: string;
  where: string;
  fingerprint: string;
  /** `stored`: no key was there; `unchanged`: the same key was there; `replaced`: with `force`. */
  outcome: "stored" | "unchanged" | "replaced";
  /** With `replaced`: the old key's fingerprint and the bundle that keeps it (same passphrase). */
  replaced?: { fingerprint: string; keptIn: string };
}

/** Reads a bundle and stores its key through the environment's provider. */
export async function importEnvironmentKey(options: ImportEnvironmentKeyOptions): Promise<KeyImportResult> {
  const scope = await resolveKeyScope(options);
  const file = resolve(options.cwd ?? process.cwd(), options.file);
  const bytes = readBundle(file);
  const passphrase = await obtainPassphrase({ env: scope.env, prompt: `Passphrase of the bundle ${options.file}: `, tty: options.tty });
  const raw = await unwrapKeyWithPassphrase(bytes, passphrase, { purpose: "export", environment: scope.environment, what: `the bundle ${file}` });
  const key: FernetKey = { signingKey: raw.subarray(0, 16), encryptionKey: raw.subarray(16, 32) };
  const provider = resolveKeyProvider(scope);
  const base = { environment: scope.environment, provider: provider.type, where: provider.location().where, fingerprint: keyFingerprint(key) };
  const text = raw.toString("base64url") + "=";
  if (!(await provider.exists())) {
    await provider.save(text);
    return { ...base, outcome: "stored" };
  }
  const current = await provider.load().catch((e: unknown) => {
    throw new HushError(e instanceof HushError ? e.code : "READ_FAILED", `A key for ${scope.environment} is stored (${provider.type}: ${base.where}) and could not be read, so it cannot be kept before a replace; nothing was changed.`, {
      hint: e instanceof HushError ? e.hint : "Fix what keeps the existing key from being read, or move it away yourself first.",
      cause: e,
    });
  });
  if (rawOf(current).equals(raw)) return { ...base, outcome: "unchanged" };
  const oldFingerprint = keyFingerprint(current);
  if (!options.force) {
    throw new HushError("KEY_EXISTS", `A different key for ${scope.environment} is stored (${provider.type}: ${base.where}, fingerprint ${oldFingerprint}); the bundle's is ${base.fingerprint}. Nothing was changed.`, {
      hint: "A store written with the stored key needs it. If you mean to replace it, run again with --force: the old key is kept, wrapped under the same passphrase, beside the store.",
    });
  }
  const keptIn = join(scope.secretsDir, `${scope.environment}.replaced-key-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  await writeFileAtomic(keptIn, await wrapKeyWithPassphrase(rawOf(current), passphrase, { purpose: "export", environment: scope.environment }), { mode: 0o600, beforeRename: () => assertAbsent(keptIn) });
  await provider.save(text, { replace: true });
  return { ...base, outcome: "replaced", replaced: { fingerprint: oldFingerprint, keptIn } };
}

/** A short identifier of a key: 16 hex digits of SHA-256 over a label and the key; it reveals nothing usable about the key. */
export function keyFingerprint(key: FernetKey): string {
  return createHash("sha256").update("hush key fingerprint\0").update(rawOf(key)).digest("hex").slice(0, 16);
}

// --- internal ---

function rawOf(key: FernetKey): Buffer {
  return Buffer.concat([key.signingKey, key.encryptionKey]);
}

function assertAbsent(path: string): void {
  if (lstatSync(path, { throwIfNoEntry: false })) throw new HushError("INVALID_ARGUMENT", `${path} appeared while hush was writing it; nothing was replaced.`);
}

function readBundle(file: string): string {
  try {
    const bytes = readTrustedFile(file, { maxBytes: MAX_WRAPPED_KEY_BYTES, what: "the key bundle" });
    if (bytes === undefined) throw new HushError("READ_FAILED", `No bundle at ${file}.`, { hint: "Give the path of the file `hush key export --output` wrote." });
    return bytes.toString("utf8");
  } catch (e) {
    if (e instanceof HushError && e.code === "LIMIT_EXCEEDED") throw new HushError("MALFORMED_KEY", `${file} is larger than a key bundle (${MAX_WRAPPED_KEY_BYTES} bytes).`);
    throw e;
  }
}

