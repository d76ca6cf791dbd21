/**
 * A dotenvx-encrypted `.env` (`KEY="encrypted:…"` values and a `DOTENV_PUBLIC_KEY…` line) is
 * decrypted on import with the user's private key, never stored as ciphertext:
 *
 * - the key: `DOTENV_PRIVATE_KEY<suffix>` (the suffix of the file's `DOTENV_PUBLIC_KEY<suffix>`,
 *   else from the file name: `.env.production` -> `_PRODUCTION`) from the environment, then from
 *   `.env.keys` beside the file; every other `DOTENV_PRIVATE_KEY*` found there is tried after it;
 * - the decryption: dotenvx's own, from the `@dotenvx/dotenvx` package the user installs (an
 *   optional dependency, loaded only here; MISSING_DEPENDENCY with the install command when absent).
 *   Only its decryption primitive is used: dotenvx's `parse` also expands `$VAR` and runs `$(…)`
 *   commands found in the file, which an import must never do. The file itself is parsed by dotenv's
 *   parser, like every `.env` hush reads;
 * - `DOTENV_PUBLIC_KEY*` lines are dotenvx's metadata, not secrets: they are not imported.
 */
import { createRequire } from "node:module";
import { basename, dirname, join } from "node:path";
import { parse as parseDotenv } from "dotenv";
import { HushError } from "../errors.js";
import { readTrustedFile } from "../fs/read-trusted-file.js";

const PREFIX = "encrypted:";
const PUBLIC = "DOTENV_PUBLIC_KEY";
const PRIVATE = "DOTENV_PRIVATE_KEY";

/** dotenvx's decryption: the plaintext of one `encrypted:…` value, or a throw with a `code`. */
export type DotenvxDecrypt = (privateKeyHex: string, value: string) => string;

/** True when the parsed file is dotenvx's: an `encrypted:` value or a public-key line. */
export function isDotenvxFile(pairs: readonly [string, string][]): boolean {
  return pairs.some(([k, v]) => k.startsWith(PUBLIC) || v.startsWith(PREFIX));
}

/** The pairs with every `encrypted:` value decrypted and the public-key lines left out. */
export async function decryptDotenvx(pairs: readonly [string, string][], path: string, env: NodeJS.ProcessEnv, decrypt?: DotenvxDecrypt): Promise<[string, string][]> {
  const kept = pairs.filter(([k]) => !k.startsWith(PUBLIC));
  const encrypted = kept.filter(([, v]) => v.startsWith(PREFIX));
  if (encrypted.length === 0) return kept;
  const { keyName, candidates } = privateKeys(pairs, path, env);
  if (candidates.length === 0) {
    throw new HushError("KEY_MISSING", `${path} is encrypted by dotenvx (${encrypted.length} value(s)) and no private key was found: neither ${keyName} in the environment nor ${join(dirname(path), ".env.keys")}. Nothing was imported.`, {
      hint: `Set ${keyName} (from your .env.keys or your team's key store) for this command, or put .env.keys beside the file.`,
    });
  }
  const run = decrypt ?? (await loadDotenvxDecrypt(import.meta.url));
  return kept.map(([k, v]): [string, string] => {
    if (!v.startsWith(PREFIX)) return [k, v];
    const plain = decryptOne(run, candidates, [k, v], path, keyName);
    if (typeof plain !== "string" || plain.startsWith(PREFIX)) throw new HushError("INVALID_TOKEN", `The dotenvx value of "${k}" in ${path} did not decrypt to text. Nothing was imported.`);
    return [k, plain];
  });
}

/**
 * dotenvx's decryption primitive, resolved through the installed `@dotenvx/dotenvx` (its own
 * dependency, so it is the version dotenvx itself uses). `from`: where to resolve from.
 */
export async function loadDotenvxDecrypt(from: string): Promise<DotenvxDecrypt> {
  let entry: string;
  try {
    entry = createRequire(from).resolve("@dotenvx/dotenvx");
  } catch (_e) {
    throw missingDotenvx();
  }
  let primitives: { decrypt?: unknown };
  try {
    primitives = createRequire(entry)("@dotenvx/primitives") as { decrypt?: unknown };
  } catch (_e) {
    throw missingDotenvx();
  }
  if (typeof primitives.decrypt !== "function") throw missingDotenvx();
  return primitives.decrypt as DotenvxDecrypt;
}

// --- internal ---

function missingDotenvx(): HushError {
  return new HushError("MISSING_DEPENDENCY", "Decrypting a dotenvx-encrypted .env needs dotenvx's package, which is not installed (or too old): npm install --save-dev @dotenvx/dotenvx", {
    hint: "Run `npm install --save-dev @dotenvx/dotenvx` in the project, then import again; or decrypt with `dotenvx decrypt` first.",
  });
}

/** The private key's expected name and the keys to try, that one first (values stay in memory only). */
function privateKeys(pairs: readonly [string, string][], path: string, env: NodeJS.ProcessEnv): { keyName: string; candidates: string[] } {
  const publicName = pairs.find(([k]) => k.startsWith(PUBLIC))?.[0];
  const suffix = publicName !== undefined ? publicName.slice(PUBLIC.length) : suffixOf(basename(path));
  const keyName = PRIVATE + suffix;
  const fromFile = readEnvKeys(join(dirname(path), ".env.keys"));
  const named = [env[keyName], fromFile[keyName]];
  const others = [...Object.entries(env), ...Object.entries(fromFile)].filter(([k]) => k.startsWith(PRIVATE) && k !== keyName).map(([, v]) => v);
  const candidates = [...named, ...others].flatMap((v) => (v ?? "").split(",")).map((v) => v.trim()).filter((v) => v.length > 0);
  return { keyName, candidates: [...new Set(candidates)] };
}

/** `.env` -> "", `.env.production` -> "_PRODUCTION", `.env.ci-local` -> "_CI_LOCAL" (dotenvx's naming). */
function suffixOf(file: string): string {
  const rest = file.startsWith(".env.") ? file.slice(5) : "";
  return rest ? `_${rest.toUpperCase().replace(/[^A-Z0-9]/g, "_")}` : "";
}

function readEnvKeys(path: string): Record<string, string> {
  const bytes = readTrustedFile(path, { what: "the dotenvx keys file", maxBytes: 1024 * 1024 });
  return bytes === undefined ? {} : parseDotenv(bytes.toString("utf8"));
}

function decryptOne(decrypt: DotenvxDecrypt, candidates: string[], [key, value]: [string, string], path: string, keyName: string): string {
  let malformed = false;
  for (const candidate of candidates) {
    try {
      return decrypt(candidate, value);
    } catch (e) {
      // dotenvx's errors name the key, never the value; only their code is kept here.
      const code = (e as { code?: unknown }).code;
      if (code === "MALFORMED_ENCRYPTED_DATA") malformed = true;
    }
  }
  if (malformed) throw new HushError("INVALID_TOKEN", `The dotenvx value of "${key}" in ${path} is malformed. Nothing was imported.`);
  throw new HushError("WRONG_KEY", `No private key found (${keyName} and the others tried) decrypts "${key}" in ${path}. Nothing was imported.`, {
    hint: `Use the ${keyName} that belongs to this file's ${PUBLIC}.`,
  });
}
