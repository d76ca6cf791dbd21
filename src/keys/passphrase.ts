/**
 * The `passphrase` key provider: the environment's key kept in a file wrapped under a passphrase
 * (scrypt + AES-256-GCM; the format is in ./passphrase-wrap.ts). The passphrase comes from
 * `HUSH_PASSPHRASE` or a hidden prompt on the terminal, never from argv; it is asked once per
 * process (the unwrapped key is cached) and `hush run` never passes it to the child.
 *
 * ```yaml
 * keys:
 *   prod: { provider: passphrase }                       # .secrets/prod.wrapped-key.json
 *   staging: { provider: passphrase, file: ~/keys/staging.json }
 * ```
 *
 * What it protects against: a copy of the project folder, a backup, an agent reading files;
 * none of them opens the store without the passphrase. What it does not: a weak passphrase
 * (the file can be attacked offline; scrypt makes each guess cost ~190 ms and 64 MiB), and a
 * process that reads `HUSH_PASSPHRASE` from your environment or this process's memory.
 */
import { mkdirSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { homedir } from "node:os";
import { HushError } from "../errors.js";
import { option } from "../config/options-schema.js";
import { parseFernetKey, type FernetKey } from "../crypto/fernet.js";
import { checkPrivate } from "../fs/permissions.js";
import { readTrustedFile } from "../fs/read-trusted-file.js";
import { writeFileAtomic } from "../fs/atomic-write.js";
import { defineKeyProviderType, type KeyProvider, type KeyProviderCheck, type KeyProviderContext } from "./provider.js";
import { MAX_WRAPPED_KEY_BYTES, parseWrappedKey, unwrapKeyWithPassphrase, wrapKeyWithPassphrase, type ScryptParams } from "./passphrase-wrap.js";
import { obtainPassphrase, PASSPHRASE_VARIABLE } from "./passphrase-input.js";
import { keyFileExists, keyMemo, removeKeyFile } from "./key-memo.js";

/** Options of the `passphrase` provider. */
export interface PassphraseKeyProviderOptions {
  /** The wrapped key file; relative paths are from the project folder, `~/` from your home. @default <secretsDir>/<env>.wrapped-key.json */
  file?: string;
}

/** `provider: passphrase` in hush.yaml. */
export const passphraseKeyProviderType = defineKeyProviderType({
  type: "passphrase",
  summary: "a key file wrapped under a passphrase (scrypt + AES-256-GCM), asked on the terminal or read from HUSH_PASSPHRASE",
  options: {
    file: option.path({ description: "the wrapped key file (relative to the project folder)", docDefault: "<secretsDir>/<env>.wrapped-key.json" }),
  },
  create: (options, context) => createPassphraseKeyProvider(options, context),
});

/** Test seam: cheaper scrypt parameters for new files (files record theirs). Never set in production code. */
export interface PassphraseProviderInternals {
  params?: ScryptParams;
  /** The terminal to prompt on. @default process.stdin / process.stderr */
  tty?: Parameters<typeof obtainPassphrase>[0]["tty"];
}

/** Creates the `passphrase` provider of `context.environment`. */
export function createPassphraseKeyProvider(options: PassphraseKeyProviderOptions, context: KeyProviderContext, internals: PassphraseProviderInternals = {}): KeyProvider {
  return createOver(wrappedKeyPath(options, context), context, internals, {});
}

/** Where the wrapped key file of `context.environment` is. */
export function wrappedKeyPath(options: PassphraseKeyProviderOptions, context: Pick<KeyProviderContext, "root" | "secretsDir" | "environment" | "env">): string {
  if (options.file === undefined) return join(context.secretsDir, `${context.environment}.wrapped-key.json`);
  if (options.file.startsWith("~/")) return join((context.env ?? process.env).HOME || homedir(), options.file.slice(2));
  return resolve(context.root, options.file);
}

// --- internal ---

/**
 * The provider over `path`. `remembered.passphrase` is set after a successful unwrap or save and
 * shared with the providers `wrappedKeyFile().at()` makes, so a re-key asks once.
 */
function createOver(path: string, context: KeyProviderContext, internals: PassphraseProviderInternals, remembered: { passphrase?: string }): KeyProvider {
  const what = `the wrapped key file ${path}`;
  const env = context.env ?? process.env;
  const memo = keyMemo();

  async function loadOnce(): Promise<FernetKey> {
    const text = readWrappedFile(path, what, context);
    if (text === undefined) throw new HushError("KEY_MISSING", `No wrapped key file for ${context.environment} at ${path}.`, { hint: "Restore it from your backup, or import the key with `hush key import`." });
    parseWrappedKey(text, what); // format errors before a prompt
    const typed = remembered.passphrase ?? (await obtainPassphrase({ env, prompt: `Passphrase for the ${context.environment} key: `, tty: internals.tty }));
    const raw = await unwrapKeyWithPassphrase(text, typed, { purpose: "passphrase-key", environment: context.environment, what });
    remembered.passphrase = typed;
    return { signingKey: raw.subarray(0, 16), encryptionKey: raw.subarray(16, 32) };
  }

  return {
    type: "passphrase",
    // The file alone opens nothing without the passphrase, wherever it sits.
    location: () => ({ provider: "passphrase", where: path, insideProject: false }),
    async exists() {
      return keyFileExists(path);
    },
    load() {
      return memo.get(loadOnce);
    },
    async save(key, saveOptions = {}) {
      const parsed = parseFernetKey(key);
      const raw = Buffer.concat([parsed.signingKey, parsed.encryptionKey]);
      if (!saveOptions.replace && checkPrivate(path, "file", "strict")) throw keyExists(context.environment, path);
      const typed = remembered.passphrase ?? (await obtainPassphrase({ env, prompt: `New passphrase for the ${context.environment} key: `, confirm: true, tty: internals.tty }));
      const text = await wrapKeyWithPassphrase(raw, typed, { purpose: "passphrase-key", environment: context.environment, params: internals.params });
      ensurePrivateFolder(dirname(path));
      await writeFileAtomic(path, text, {
        mode: 0o600,
        // Without `replace`, a key that appeared meanwhile is kept (the window is the write itself).
        beforeRename: () => {
          if (!saveOptions.replace && checkPrivate(path, "file", "strict")) throw keyExists(context.environment, path);
        },
      });
      remembered.passphrase = typed;
      memo.set(parsed);
    },
    async remove() {
      memo.set(undefined);
      return removeKeyFile(path, "the wrapped key file");
    },
    async check() {
      return checkWrappedFile(path, what, context);
    },
    wrappedKeyFile: () => ({ path, at: (other) => createOver(other, context, internals, remembered) }),
  };
}

function readWrappedFile(path: string, what: string, context: Pick<KeyProviderContext, "onWarning">): string | undefined {
  checkPrivate(dirname(path), "dir", "strict", context.onWarning);
  if (!checkPrivate(path, "file", "strict", context.onWarning)) return undefined;
  try {
    const bytes = readTrustedFile(path, { maxBytes: MAX_WRAPPED_KEY_BYTES, what });
    return bytes?.toString("utf8");
  } catch (e) {
    if (e instanceof HushError && e.code === "LIMIT_EXCEEDED") throw new HushError("MALFORMED_KEY", `Malformed ${what}: more than ${MAX_WRAPPED_KEY_BYTES} bytes.`);
    throw e;
  }
}

function checkWrappedFile(path: string, what: string, context: KeyProviderContext): KeyProviderCheck {
  try {
    const text = readWrappedFile(path, what, context);
    if (text === undefined) return { ok: false, detail: `passphrase: no key at ${path}`, problems: [{ message: `No wrapped key file at ${path}.`, fix: "Restore it from your backup, or import the key with `hush key import`." }] };
    parseWrappedKey(text, what);
  } catch (e) {
    const err = e instanceof HushError ? e : new HushError("READ_FAILED", `Cannot read ${what}.`, { cause: e });
    return { ok: false, detail: `passphrase: ${err.code}`, problems: [{ message: err.message, fix: err.hint }] };
  }
  const rel = relative(context.root, path);
  const inside = rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
  const detail = `passphrase: ${path} (opens with ${PASSPHRASE_VARIABLE} or the prompt; not checked here)`;
  return inside ? { ok: true, detail, problems: [{ message: `The wrapped key sits inside the project folder (${path}): a copy of the folder can be attacked offline with passphrase guesses.`, fix: "Use a long passphrase, or set `file:` outside the project." }] } : { ok: true, detail };
}

function keyExists(environment: string, path: string): HushError {
  return new HushError("KEY_EXISTS", `A key for ${environment} is already stored at ${path}; hush never replaces a key unasked.`);
}

function ensurePrivateFolder(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new HushError("WRITE_FAILED", `Cannot create the folder ${dir}.`, { cause: e });
  }
  checkPrivate(dir, "dir", "strict");
}
