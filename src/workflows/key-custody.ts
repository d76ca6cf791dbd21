/**
 * `hush key move` and `hush key rotate` as library calls (docs/keys.md).
 *
 * - {@link moveKey}: copies the environment's key to another provider, checks the copy loads as
 *   the same key, then removes the original. To `user` (out of the project folder) or `file`
 *   (into `.secrets/`, e.g. for a Python app): the default rule of src/keys/environment-key.ts
 *   then picks the new place (a key file in `.secrets/` wins; else `user` with `project:`). To any
 *   other provider (`aws-kms`, `gcp-kms`, `vault-transit`, `passphrase`, `team`...): hush.yaml's
 *   `keys.<env>` names it with its options first, and the key moves there from where the default
 *   rule finds it (this is how an existing store adopts a KMS).
 * - {@link rotateKey}: re-keys the local store (src/keys/rotate-local.ts), its key kept in a file
 *   (`file`, `user`) or wrapped in one (`aws-kms`, `gcp-kms`, `vault-transit`, `passphrase`).
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
import { membersFilePath } from "../keys/members-file.js";
import { rewrapMemberEntries } from "../keys/members.js";
import { rotateTeamKey } from "../keys/rotate-team.js";
import type { TeamKeyProviderOptions } from "../keys/team.js";
import { lstatSync } from "node:fs";
import type { ProjectOptions } from "./project.js";

/** Options of {@link moveKey}. */
export interface MoveKeyOptions extends ProjectOptions {
  /** Where the key goes: `user`, `file`, or the provider hush.yaml's `keys.<env>` names. */
  to: string;
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
  const context = await keyContext(options);
  if (options.to !== "user" && options.to !== "file") return moveToConfigured(context, options.to);
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
    if (chooseKeyProvider(context).provider === "team") return await rotateTeam(context, options);
    const provider = resolveKeyProvider(context);
    // A members file (docs/team.md) wraps the key to each member: it follows the new key.
    const members = membersFilePath(context.root, context.environment);
    const before = lstatSync(members, { throwIfNoEntry: false }) ? await provider.load() : undefined;
    const result = await rotateLocalKey({ secretsDir: context.secretsDir, environment: context.environment, provider, keepOld: options.keepOld === true });
    forgetEnvironmentKeys(); // a KMS provider kept per process still holds the old key
    if (before) await rewrapMemberEntries({ root: context.root, environment: context.environment, currentKey: before, newKey: await resolveKeyProvider(context).load() });
    return result;
  } finally {
    forgetEnvironmentKeys();
  }
}

// --- internal ---

/**
 * Moves the key from where the default rule finds it (a key file, or `user`) into the provider
 * that hush.yaml's `keys.<env>` names: saved there, read back through a fresh provider (a KMS
 * round trip), and only then removed from the old place.
 */
async function moveToConfigured(context: EnvironmentKeyContext & { root: string }, to: string): Promise<MoveKeyResult> {
  const choice = chooseKeyProvider(context);
  if (choice.implicit || choice.provider !== to) {
    throw new HushError("CONFIG_INVALID", `To move the ${context.environment} key to the ${to} provider, hush.yaml's keys.${context.environment} must name it with its options.`, {
      hint: `Add \`keys: { ${context.environment}: { provider: ${to}, ... } }\` to hush.yaml (docs/keys.md lists each provider's options), then run the command again; --to user or file need no entry.`,
    });
  }
  const withoutEntry = { ...context, keys: Object.fromEntries(Object.entries(context.keys ?? {}).filter(([env]) => env !== context.environment)) };
  const from = resolveKeyProvider(withoutEntry);
  const target = resolveKeyProvider(context);
  const fromWhere = { provider: from.type, where: from.location().where };
  const toWhere = { provider: target.type, where: target.location().where };
  if (!(await from.exists())) {
    if (await target.exists()) return { environment: context.environment, from: toWhere, to: toWhere, moved: false };
    throw new HushError("KEY_MISSING", `No ${context.environment} key to move: none at ${fromWhere.where} (${from.type}), and none with the ${to} provider yet.`);
  }
  if (!from.remove) throw new HushError("INVALID_ARGUMENT", `The ${from.type} provider's key cannot be moved by hush (docs/keys.md).`);
  const key = await from.load();
  try {
    await target.save(keyText(key));
  } catch (e) {
    if (!(e instanceof HushError) || e.code !== "KEY_EXISTS" || !sameKey(await target.load(), key)) throw e;
  }
  forgetEnvironmentKeys();
  if (!sameKey(await resolveKeyProvider(context).load(), key)) throw new HushError("WRITE_FAILED", `The key saved with the ${to} provider does not read back as the same key; the original at ${fromWhere.where} is kept.`);
  await from.remove();
  forgetEnvironmentKeys();
  return { environment: context.environment, from: fromWhere, to: toWhere, moved: true };
}

/** A `team` key is re-keyed with its members file as the journal (src/keys/rotate-team.ts). */
async function rotateTeam(context: EnvironmentKeyContext & { root: string }, options: RotateKeyOptions): Promise<LocalRotationResult> {
  if (options.keepOld) throw new HushError("INVALID_ARGUMENT", "--keep-old keeps a key file; a team key has none (the old members file is in git history).");
  const r = await rotateTeamKey({ context: toProviderContext(context), options: context.keys?.[context.environment]?.options as TeamKeyProviderOptions | undefined });
  return { environment: r.environment, provider: "team", keyPath: r.membersPath, reencrypted: r.reencrypted, audit: r.audit };
}

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
