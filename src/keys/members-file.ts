/**
 * `.hush/members.<env>.json`: the team of an environment, committed with the project. It holds
 * public data only: per member a name, a public key, and the environment's key wrapped to that
 * key (./x25519-wrap.ts). Nothing in it opens the store without a member's private key.
 *
 * Format (version 1), exactly these fields:
 *
 * ```json
 * { "hush": "members", "version": 1, "environment": "prod",
 *   "members": [
 *     { "name": "alice", "publicKey": "hush-x25519:<32 bytes>",
 *       "stanza": { "type": "X25519", "ephemeral": "<32 bytes>", "iv": "<12 bytes>", "body": "<48 bytes>" } } ],
 *   "mac": "<32 bytes>" }
 * ```
 *
 * `mac` is HMAC-SHA256 under HKDF-SHA256(the environment's raw key, salt empty,
 * info "hush/v1/members-mac") over the canonical JSON of the other four fields (this field
 * order, no spaces). Only a key holder can make it, so a member list changed by someone without
 * the key (a member added, a stanza swapped) is refused when a member opens it. Reading is
 * strict: unknown or missing fields, a second spelling of base64url, duplicate names or keys,
 * and files over 1 MiB are STORE_CORRUPT, never "not a member".
 */
import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import { lstatSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { HushError } from "../errors.js";
import { assertValidEnvironment } from "../environment.js";
import { readTrustedFile } from "../fs/read-trusted-file.js";
import { writeFileAtomic } from "../fs/atomic-write.js";
import { expectBytes, expectExactKeys, expectObject, expectString, formatError, parseJsonObject, toBase64Url, type StrictReader } from "./wrap-encoding.js";
import { MEMBER_PUBLIC_KEY_PATTERN, parseMemberPublicKey, type X25519Stanza } from "./x25519-wrap.js";

/** A member name: letters, digits, `.`, `_`, `@`, `-`; starts with a letter or digit; at most 64. */
export const MEMBER_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/** One member of an environment. */
export interface MemberEntry {
  name: string;
  /** `hush-x25519:...` */
  publicKey: string;
  stanza: X25519Stanza;
}

/** A members file as read (format checked; the MAC is checked by {@link verifyMembersMac}). */
export interface MembersDocument {
  environment: string;
  members: MemberEntry[];
  mac: Buffer;
}

const MAX_MEMBERS_FILE_BYTES = 1024 * 1024;
const MAX_MEMBERS = 1000;

/** `<root>/.hush/members.<env>.json` */
export function membersFilePath(root: string, environment: string): string {
  assertValidEnvironment(environment);
  return join(root, ".hush", `members.${environment}.json`);
}

/** Reads and validates a members file; undefined when there is none. Throws STORE_CORRUPT, INSECURE_PERMISSIONS, READ_FAILED. */
export function readMembersFile(path: string, environment: string): MembersDocument | undefined {
  const reader = readerFor(path);
  let st;
  try {
    st = lstatSync(path, { throwIfNoEntry: false });
  } catch (e) {
    throw new HushError("READ_FAILED", `Cannot inspect the members file ${path}.`, { cause: e });
  }
  if (st === undefined) return undefined;
  if (st.isSymbolicLink()) throw new HushError("INSECURE_PERMISSIONS", `${path} is a symbolic link; hush does not follow links for the members file.`);
  // Public data, so group and others may read it (a git checkout makes it 0644); nobody else may write it.
  if ((st.mode & 0o022) !== 0) throw new HushError("INSECURE_PERMISSIONS", `${path} can be written by group or others.`, { hint: `Run: chmod 644 ${path}` });
  const bytes = readTrustedFile(path, { maxBytes: MAX_MEMBERS_FILE_BYTES, what: "the members file" });
  if (bytes === undefined) return undefined;
  const doc = parseJsonObject(bytes.toString("utf8"), reader);
  expectExactKeys(doc, ["hush", "version", "environment", "members", "mac"], "the file", reader);
  expectString(doc.hush, "hush", /^members$/, reader);
  if (doc.version !== 1) throw formatError(reader, "version is not 1 (written by a newer hush?)");
  if (doc.environment !== environment) throw formatError(reader, `it is the members file of another environment, not ${environment}`);
  if (!Array.isArray(doc.members) || doc.members.length > MAX_MEMBERS) throw formatError(reader, `members is not a list of at most ${MAX_MEMBERS}`);
  const members = doc.members.map((m, i) => parseEntry(m, `members[${i}]`, reader));
  assertUnique(members, reader);
  return { environment, members, mac: expectBytes(doc.mac, "mac", 32, reader) };
}

/** Checks the file's MAC under the environment's raw key, in constant time. Throws STORE_CORRUPT. */
export function verifyMembersMac(doc: MembersDocument, envKey: Buffer, path: string): void {
  const expected = membersMac(doc.environment, doc.members, envKey);
  if (!timingSafeEqual(expected, doc.mac)) {
    throw new HushError("STORE_CORRUPT", `The members file ${path} was changed by someone without the ${doc.environment} key (its MAC does not match), or it belongs to another key.`, {
      hint: `Restore it from git (git checkout -- ${path}); members change only through \`hush member add/remove\`.`,
    });
  }
}

/** Writes the members file atomically (0600; its folder made 0700), with a MAC under `envKey`. */
export async function writeMembersFile(path: string, environment: string, members: readonly MemberEntry[], envKey: Buffer): Promise<void> {
  assertUnique(members, readerFor(path));
  const doc = { ...canonical(environment, members), mac: toBase64Url(membersMac(environment, members, envKey)) };
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new HushError("WRITE_FAILED", `Cannot create the folder ${dirname(path)}.`, { cause: e });
  }
  await writeFileAtomic(path, JSON.stringify(doc, null, 2) + "\n", { mode: 0o600 });
}

// --- internal ---

function readerFor(path: string): StrictReader {
  return { what: `members file ${path}`, code: "STORE_CORRUPT", hint: `Restore it from git (git checkout -- ${path}); members change only through \`hush member add/remove\`.` };
}

function parseEntry(value: unknown, field: string, reader: StrictReader): MemberEntry {
  const entry = expectObject(value, field, reader);
  expectExactKeys(entry, ["name", "publicKey", "stanza"], field, reader);
  const stanza = expectObject(entry.stanza, `${field}.stanza`, reader);
  expectExactKeys(stanza, ["type", "ephemeral", "iv", "body"], `${field}.stanza`, reader);
  expectString(stanza.type, `${field}.stanza.type`, /^X25519$/, reader);
  const publicKey = expectString(entry.publicKey, `${field}.publicKey`, MEMBER_PUBLIC_KEY_PATTERN, reader);
  try {
    parseMemberPublicKey(publicKey);
  } catch (_e) {
    throw formatError(reader, `${field}.publicKey does not decode to 32 bytes`);
  }
  return {
    name: expectString(entry.name, `${field}.name`, MEMBER_NAME_PATTERN, reader),
    publicKey,
    stanza: {
      ephemeral: expectBytes(stanza.ephemeral, `${field}.stanza.ephemeral`, 32, reader),
      iv: expectBytes(stanza.iv, `${field}.stanza.iv`, 12, reader),
      body: expectBytes(stanza.body, `${field}.stanza.body`, 48, reader),
    },
  };
}

function assertUnique(members: readonly MemberEntry[], reader: StrictReader): void {
  if (new Set(members.map((m) => m.name)).size !== members.length) throw formatError(reader, "two members have the same name");
  if (new Set(members.map((m) => m.publicKey)).size !== members.length) throw formatError(reader, "two members have the same public key");
}

function canonical(environment: string, members: readonly MemberEntry[]) {
  return {
    hush: "members",
    version: 1,
    environment,
    members: members.map((m) => ({
      name: m.name,
      publicKey: m.publicKey,
      stanza: { type: "X25519", ephemeral: toBase64Url(m.stanza.ephemeral), iv: toBase64Url(m.stanza.iv), body: toBase64Url(m.stanza.body) },
    })),
  };
}

function membersMac(environment: string, members: readonly MemberEntry[], envKey: Buffer): Buffer {
  const macKey = Buffer.from(hkdfSync("sha256", envKey, Buffer.alloc(0), "hush/v1/members-mac", 32));
  return createHmac("sha256", macKey).update(JSON.stringify(canonical(environment, members))).digest();
}
