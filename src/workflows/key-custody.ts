/**
 * `hush key move` and `hush key rotate` as library calls (docs/keys.md).
 *
 * - {@link moveKey}: copies the environment's key to another key-file provider (`user`: out of
 *   the project folder; `file`: into `.secrets/`, e.g. for a Python app), checks the copy loads
 *   as the same key, then removes the original. The default rule of src/keys/environment-key.ts
 *   then picks the new place (a key file in `.secrets/` wins; else `user` with `project:`).
 * - {@link rotateKey}: re-keys the local store (src/keys/rotate-local.ts).
 *
 * @example
 * await moveKey({ cwd: process.cwd(), to: "user" });
 * await rotateKey({ cwd: process.cwd(), environment: "prod" });
 */
import { HushError } from "../errors.js";
import { loadConfig } from "../config/load.js";
import { resolveSecretsDir } from "../config/open.js";
import type { FernetKey } from "../crypto/fernet.js";
import { chooseKeyProvider, forgetEnvironmentKeys, resolveKeyProvider, type EnvironmentKeyContext } from "../keys/environment-key.js";
import { createFileKeyProvider } from "../keys/file.js";
import { createUserKeyProvider } from "../keys/user.js";
import { rotateLocalKey, type LocalRotationResult } from "../keys/rotate-local.js";
import type { ProjectOptions } from "./project.js";

/** Options of {@link moveKey}. */
export interface MoveKeyOptions extends ProjectOptions {
  /** Where the key goes. */
  to: "user" | "file";
}

/** What {@link moveKey} did. */
export interface MoveKeyResult {
  environment: string;
  from: { provider: string; where: string };
  to: { provider: string; where: string };
  /** False when the key already was there (nothing done). */
  moved: boolean;
}

/** Moves the environment's key between the `file` and `user` providers. Never loses it: the copy is verified before the original goes. */
export async function moveKey(options: MoveKeyOptions): Promise<MoveKeyResult> {
  if (options.to !== "user" && options.to !== "file") throw new HushError("INVALID_ARGUMENT", "--to takes user or file.");
  const context = await keyContext(options);
  const choice = chooseKeyProvider(context);
  if (!choice.implicit && choice.provider !== options.to) {
    throw new HushError("CONFIG_INVALID", `hush.yaml's keys.${context.environment} names the ${choice.provider} provider; a moved key would not be used.`, { hint: `Remove keys.${context.environment} from hush.yaml (the default rule then finds the key), or set its provider to ${options.to}.` });
  }
  if (options.to === "user" && context.project === undefined) {
    throw new HushError("CONFIG_INVALID", "The user provider keeps keys under the project's id, and hush.yaml has no `project:`.", { hint: "Add a line `project: <id>` to hush.yaml (lower-case letters, digits, '-', e.g. the folder's name and a few random characters), then run the command again." });
  }
  const from = resolveKeyProvider(context);
  const target = options.to === "user" ? createUserKeyProvider({}, toProviderContext(context)) : createFileKeyProvider(toProviderContext(context));
  const fromWhere = { provider: from.type, where: from.location().where };
  const toWhere = { provider: target.type, where: target.location().where };
  if (from.type === target.type) return { environment: context.environment, from: fromWhere, to: toWhere, moved: false };
  if (!from.remove) throw new HushError("INVALID_ARGUMENT", `The ${from.type} provider's key cannot be moved by hush; set it up for ${options.to} by hand (docs/keys.md).`);
  const key = await from.load();
  try {
    await target.save(keyText(key));
  } catch (e) {
    // A copy left by an interrupted move is fine when it is the same key.
    if (!(e instanceof HushError) || e.code !== "KEY_EXISTS" || !sameKey(await target.load(), key)) throw e;
  }
  const copy = options.to === "user" ? createUserKeyProvider({}, toProviderContext(context)) : createFileKeyProvider(toProviderContext(context));
  if (!sameKey(await copy.load(), key)) throw new HushError("WRITE_FAILED", `The key copied to ${toWhere.where} does not read back as the same key; the original is kept.`);
  await from.remove();
  forgetEnvironmentKeys();
  return { environment: context.environment, from: fromWhere, to: toWhere, moved: true };
}

/** Options of {@link rotateKey}. */
export interface RotateKeyOptions extends ProjectOptions {
  /** Keep the old key as `<key>.old` (0600). @default false */
  keepOld?: boolean;
}

/** Re-keys the environment's local store: new key, store re-encrypted under the lock, read back, key replaced. */
export async function rotateKey(options: RotateKeyOptions = {}): Promise<LocalRotationResult> {
  const context = await keyContext(options);
  try {
    return await rotateLocalKey({ secretsDir: context.secretsDir, environment: context.environment, provider: resolveKeyProvider(context), keepOld: options.keepOld === true });
  } finally {
    forgetEnvironmentKeys();
  }
}

// --- internal ---

async function keyContext(options: ProjectOptions): Promise<EnvironmentKeyContext & { root: string }> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const loaded = options.loaded ?? (await loadConfig({ cwd, environment: options.environment, env }));
  const secretsDir = resolveSecretsDir(loaded, cwd, options.secretsDir);
  return { root: loaded.root, secretsDir, environment: loaded.environment, env, project: loaded.config.project, keys: loaded.config.keys, onWarning: options.onWarning ?? (() => undefined) };
}

function toProviderContext(context: EnvironmentKeyContext & { root: string }) {
  return { root: context.root, secretsDir: context.secretsDir, environment: context.environment, project: context.project, env: context.env, onWarning: context.onWarning };
}

function keyText(key: FernetKey): string {
  return `${Buffer.concat([key.signingKey, key.encryptionKey]).toString("base64url")}=`;
}

function sameKey(a: FernetKey, b: FernetKey): boolean {
  return Buffer.concat([a.signingKey, a.encryptionKey]).equals(Buffer.concat([b.signingKey, b.encryptionKey]));
}
