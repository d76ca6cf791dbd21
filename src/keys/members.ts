/**
 * Managing `.hush/members.<env>.json` with the environment's key in hand: add a member (wrap the
 * key to their public key), list, remove. The key comes from the caller (the project workflows
 * get it through `loadEnvironmentKey`); every change re-checks the file's MAC under that key
 * first, so a list changed behind hush's back is refused, never extended.
 */
import { HushError } from "../errors.js";
import type { FernetKey } from "../crypto/fernet.js";
import { MEMBER_NAME_PATTERN, membersFilePath, readMembersFile, verifyMembersMac, writeMembersFile, type MemberEntry } from "./members-file.js";
import { formatMemberPublicKey, parseMemberPublicKey, wrapToRecipient } from "./x25519-wrap.js";

/** Where the members file is and the key it wraps. */
export interface MembersFileOptions {
  /** Project folder. */
  root: string;
  environment: string;
  /** The members file. @default <root>/.hush/members.<env>.json */
  path?: string;
}

/** One member as listed (public data only). */
export interface MemberInfo {
  name: string;
  publicKey: string;
}

/** What {@link listMemberEntries} returns. */
export interface MemberList {
  environment: string;
  path: string;
  members: MemberInfo[];
  /** True when the file's MAC was checked under the environment's key; false when no key was given. */
  verified: boolean;
}

/**
 * Adds `name` with `publicKey` (wraps `key` to it). Creates the file when there is none. Refuses
 * a name or public key already listed (INVALID_ARGUMENT), and a file whose MAC does not match
 * `key` (STORE_CORRUPT). Returns the file's path.
 *
 * @example
 * await addMemberEntry({ root, environment: "prod", name: "bob", publicKey: "hush-x25519:...", key: await loadEnvironmentKey(ctx) });
 */
export async function addMemberEntry(options: MembersFileOptions & { name: string; publicKey: string; key: FernetKey }): Promise<string> {
  assertMemberName(options.name);
  const pub = parseMemberPublicKey(options.publicKey);
  const publicKey = formatMemberPublicKey(pub);
  const { path, members, raw } = openVerified(options, options.key);
  if (members.some((m) => m.name === options.name)) throw new HushError("INVALID_ARGUMENT", `${options.name} is already a member of ${options.environment}.`, { hint: "Remove them first, or pick another name." });
  const same = members.find((m) => m.publicKey === publicKey);
  if (same) throw new HushError("INVALID_ARGUMENT", `That public key is already listed in ${options.environment}, as ${same.name}.`);
  members.push({ name: options.name, publicKey, stanza: wrapToRecipient(raw, pub, options.environment) });
  await writeMembersFile(path, options.environment, members, raw);
  return path;
}

/**
 * Removes `name` from the file (MAC checked under `key` first). The removed person kept the key:
 * the caller re-keys (`hush member remove` does). Throws NOT_FOUND when `name` is not listed.
 */
export async function removeMemberEntry(options: MembersFileOptions & { name: string; key: FernetKey }): Promise<{ path: string; remaining: number }> {
  assertMemberName(options.name);
  const { path, members, raw } = openVerified(options, options.key);
  const at = members.findIndex((m) => m.name === options.name);
  if (at < 0) throw new HushError("NOT_FOUND", `${options.name} is not a member of ${options.environment}.`, { hint: "`hush member list` shows the members." });
  members.splice(at, 1);
  await writeMembersFile(path, options.environment, members, raw);
  return { path, remaining: members.length };
}

/**
 * Re-wraps `newKey` to every member still listed, after checking the file's MAC under
 * `currentKey`; writes the result to `to` (a re-key's pending file) or in place. Returns false
 * when there is no members file.
 */
export async function rewrapMemberEntries(options: MembersFileOptions & { currentKey: FernetKey; newKey: FernetKey; to?: string }): Promise<boolean> {
  const path = options.path ?? membersFilePath(options.root, options.environment);
  if (readMembersFile(path, options.environment) === undefined) return false;
  const { members } = openVerified(options, options.currentKey);
  const raw = rawOf(options.newKey);
  const rewrapped = members.map((m) => ({ ...m, stanza: wrapToRecipient(raw, parseMemberPublicKey(m.publicKey), options.environment) }));
  await writeMembersFile(options.to ?? path, options.environment, rewrapped, raw);
  return true;
}

/** Lists the members (names and public keys); with `key`, also checks the file's MAC. */
export function listMemberEntries(options: MembersFileOptions & { key?: FernetKey }): MemberList {
  const path = options.path ?? membersFilePath(options.root, options.environment);
  const doc = readMembersFile(path, options.environment);
  if (doc === undefined) return { environment: options.environment, path, members: [], verified: options.key !== undefined };
  if (options.key) verifyMembersMac(doc, rawOf(options.key), path);
  return { environment: options.environment, path, members: doc.members.map((m) => ({ name: m.name, publicKey: m.publicKey })), verified: options.key !== undefined };
}

// --- internal ---

function openVerified(options: MembersFileOptions, key: FernetKey): { path: string; members: MemberEntry[]; raw: Buffer } {
  const path = options.path ?? membersFilePath(options.root, options.environment);
  const raw = rawOf(key);
  const doc = readMembersFile(path, options.environment);
  if (doc === undefined) return { path, members: [], raw };
  verifyMembersMac(doc, raw, path);
  return { path, members: doc.members, raw };
}

function rawOf(key: FernetKey): Buffer {
  return Buffer.concat([key.signingKey, key.encryptionKey]);
}

function assertMemberName(name: string): void {
  if (!MEMBER_NAME_PATTERN.test(name)) throw new HushError("INVALID_NAME", "A member name is letters, digits, '.', '_', '@' or '-', starting with a letter or digit, at most 64 characters.");
}
