/**
 * A team member's own X25519 key pair (`hush member keygen`): the private key in
 * `${XDG_CONFIG_HOME:-$HOME/.config}/hush/member/x25519.pem` (PKCS#8 PEM, 0600, in folders made
 * 0700), never under a project. Its public key (`hush-x25519:...`) is what a member hands to
 * whoever adds them; `.hush/members.<env>.json` holds the environment's key wrapped to it.
 */
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { HushError } from "../errors.js";
import { checkPrivate } from "../fs/permissions.js";
import { readTrustedFile } from "../fs/read-trusted-file.js";
import { writeFileAtomic } from "../fs/atomic-write.js";
import { formatMemberPublicKey, parseIdentity, rawPublicKey } from "./x25519-wrap.js";

/** A member identity as `hush member keygen` reports it (never the private key). */
export interface MemberIdentityInfo {
  /** `hush-x25519:...`: give this to whoever adds you. */
  publicKey: string;
  /** The private key file. */
  path: string;
  /** False when a key pair already existed (it is kept, never replaced). */
  created: boolean;
}

/** The private key file: `${XDG_CONFIG_HOME:-$HOME/.config}/hush/member/x25519.pem`. */
export function memberIdentityPath(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(env.HOME && isAbsolute(env.HOME) ? env.HOME : homedir(), ".config");
  return join(base, "hush", "member", "x25519.pem");
}

/**
 * Makes this user's key pair unless one exists (an existing one is kept: replacing it would
 * lock you out of every environment you were added to). Returns its public key.
 *
 * @example
 * const { publicKey } = await generateMemberIdentity({ env: process.env }); // hush-x25519:...
 */
export async function generateMemberIdentity(options: { env?: NodeJS.ProcessEnv; path?: string } = {}): Promise<MemberIdentityInfo> {
  const path = options.path ?? memberIdentityPath(options.env);
  const existing = readMemberIdentity(path, { optional: true });
  if (existing) return { publicKey: formatMemberPublicKey(rawPublicKey(existing)), path, created: false };
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new HushError("WRITE_FAILED", `Cannot create the folder ${dir}.`, { cause: e });
  }
  checkPrivate(dir, "dir", "strict");
  const pair = generateKeyPairSync("x25519");
  const pem = pair.privateKey.export({ format: "pem", type: "pkcs8" }).toString();
  // Another keygen that wins the race keeps its key pair: the rename never replaces one.
  const raced = new HushError("INTERNAL", "A key pair appeared during keygen.");
  await writeFileAtomic(path, pem, {
    mode: 0o600,
    beforeRename: () => {
      if (checkPrivate(path, "file", "strict")) throw raced;
    },
  }).catch((e: unknown) => {
    if (e !== raced) throw e;
  });
  const kept = readMemberIdentity(path, { optional: false })!;
  const publicKey = formatMemberPublicKey(rawPublicKey(kept));
  return { publicKey, path, created: publicKey === formatMemberPublicKey(rawPublicKey(pair.privateKey)) };
}

/**
 * Reads this user's private key after the permission checks (0600 file, 0700 folder, owned by
 * you). Throws KEY_MISSING (with the keygen hint) when there is none, unless `optional`.
 */
export function readMemberIdentity(path: string, options: { optional: boolean; onWarning?: (m: string) => void }): KeyObject | undefined {
  const dir = dirname(path);
  const there = checkPrivate(dir, "dir", "strict", options.onWarning) && checkPrivate(path, "file", "strict", options.onWarning);
  const bytes = there ? readTrustedFile(path, { maxBytes: 4096, what: "the member identity" }) : undefined;
  if (bytes === undefined) {
    if (options.optional) return undefined;
    throw new HushError("KEY_MISSING", `No member key pair at ${path}.`, { hint: "Run `hush member keygen`, give its public key to a member, and ask them to run `hush member add`." });
  }
  return parseIdentity(bytes.toString("utf8"), path);
}
