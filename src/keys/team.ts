/**
 * The `team` key provider: the environment's key is opened from `.hush/members.<env>.json` (a
 * committed file of public data, ./members-file.ts) with your own X25519 private key
 * (`hush member keygen`, ./member-identity.ts). A listed member's new machine opens the store
 * with its key pair alone: no key file is copied. Re-keying (`hush key rotate`) wraps the new
 * key to every member still listed.
 *
 * ```yaml
 * keys:
 *   prod: { provider: team }        # .hush/members.prod.json, ~/.config/hush/member/x25519.pem
 * ```
 *
 * Errors: no key pair is KEY_MISSING (run keygen); not listed is ACCESS_DENIED; an entry that
 * does not open is WRONG_KEY; a file changed without the key (MAC) or malformed is STORE_CORRUPT.
 */
import { lstatSync, unlinkSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { HushError } from "../errors.js";
import { option } from "../config/options-schema.js";
import { parseFernetKey, type FernetKey } from "../crypto/fernet.js";
import { fsyncDir } from "../crypto/key-file.js";
import { defineKeyProviderType, type KeyProvider, type KeyProviderCheck, type KeyProviderContext } from "./provider.js";
import { memberIdentityPath, readMemberIdentity } from "./member-identity.js";
import { MEMBER_NAME_PATTERN, membersFilePath, readMembersFile, verifyMembersMac, writeMembersFile, type MembersDocument } from "./members-file.js";
import { formatMemberPublicKey, parseMemberPublicKey, rawPublicKey, unwrapWithIdentity, wrapToRecipient } from "./x25519-wrap.js";

/** Options of the `team` provider. */
export interface TeamKeyProviderOptions {
  /** The members file, relative to the project folder. @default .hush/members.<env>.json */
  members?: string;
  /** Your private key. @default ${XDG_CONFIG_HOME:-~/.config}/hush/member/x25519.pem */
  identity?: string;
  /** Your name in a members file this provider creates (the first save). @default $USER */
  name?: string;
}

/** `provider: team` in hush.yaml. */
export const teamKeyProviderType = defineKeyProviderType({
  type: "team",
  summary: "the key wrapped to each member's X25519 public key in .hush/members.<env>.json, opened with your own key pair",
  options: {
    members: option.path({ description: "the members file (relative to the project folder)", docDefault: ".hush/members.<env>.json" }),
    identity: option.path({ description: "your private key (from `hush member keygen`)", docDefault: "~/.config/hush/member/x25519.pem" }),
    name: option.string({ description: "your name when the first save creates the members file", docDefault: "$USER" }),
  },
  create: (options, context) => createTeamKeyProvider(options, context),
});

/** Creates the `team` provider of `context.environment`. */
export function createTeamKeyProvider(options: TeamKeyProviderOptions, context: KeyProviderContext): KeyProvider {
  const env = context.env ?? process.env;
  const { environment } = context;
  const path = options.members === undefined ? membersFilePath(context.root, environment) : resolve(context.root, options.members);
  const identityPath = options.identity === undefined ? memberIdentityPath(env) : resolve(context.root, options.identity);
  let cached: FernetKey | undefined;

  function open(): { doc: MembersDocument; raw: Buffer } {
    const identity = readMemberIdentity(identityPath, { optional: false, onWarning: context.onWarning })!;
    const doc = readMembersFile(path, environment);
    if (lstatSync(`${path}.pending`, { throwIfNoEntry: false })) {
      context.onWarning(`A re-key of ${environment} was interrupted (${path}.pending is there); the next \`hush member remove\` settles it, or, if the store reports WRONG_KEY, move the .pending file over the members file.`);
    }
    if (doc === undefined) throw new HushError("KEY_MISSING", `No members file for ${environment} at ${path}.`, { hint: "Pull it from git, or ask a member to add you with `hush member add`." });
    const mine = formatMemberPublicKey(rawPublicKey(identity));
    const entry = doc.members.find((m) => m.publicKey === mine);
    if (entry === undefined) {
      throw new HushError("ACCESS_DENIED", `You are not a member of ${environment}: ${path} has no entry for your public key.`, {
        hint: "Give your public key (`hush member keygen` prints it) to a member and ask them to run `hush member add NAME --public-key KEY`.",
      });
    }
    const raw = unwrapWithIdentity(entry.stanza, identity, environment, path);
    verifyMembersMac(doc, raw, path);
    return { doc, raw };
  }

  const provider: KeyProvider = {
    type: "team",
    // The members file holds wrapped copies only: it opens nothing without a member's private key.
    location: () => ({ provider: "team", where: `${path} (your key pair: ${identityPath})`, insideProject: false }),
    async exists() {
      return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
    },
    async load() {
      if (cached) return cached;
      const { raw } = open();
      cached = { signingKey: raw.subarray(0, 16), encryptionKey: raw.subarray(16, 32) };
      return cached;
    },
    async save(key, saveOptions = {}) {
      const parsed = parseFernetKey(key);
      await saveTeamKey(Buffer.concat([parsed.signingKey, parsed.encryptionKey]), saveOptions.replace === true, { path, environment, identityPath, name: options.name ?? env.USER ?? "me", open, onWarning: context.onWarning });
      cached = parsed;
    },
    async remove() {
      cached = undefined;
      try {
        unlinkSync(path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return false;
        throw new HushError("WRITE_FAILED", `Cannot remove the members file ${path}.`, { cause: e });
      }
      fsyncDir(dirname(path));
      return true;
    },
    async check(): Promise<KeyProviderCheck> {
      try {
        const { doc } = open();
        return { ok: true, detail: `team: ${path}, ${doc.members.length} member(s), you are one` };
      } catch (e) {
        const err = e instanceof HushError ? e : new HushError("READ_FAILED", `Cannot read ${path}.`, { cause: e });
        return { ok: false, detail: `team: ${err.code}`, problems: [{ message: err.message, fix: err.hint }] };
      }
    },
  };
  return provider;
}

// --- internal ---

interface SaveScope {
  path: string;
  environment: string;
  identityPath: string;
  name: string;
  open(): { doc: MembersDocument; raw: Buffer };
  onWarning: (message: string) => void;
}

/** Wraps `raw` to every listed member (re-key), or creates the file with you alone. */
async function saveTeamKey(raw: Buffer, replace: boolean, scope: SaveScope): Promise<void> {
  const { path, environment } = scope;
  if (readMembersFile(path, environment) !== undefined) {
    // The list is trusted only after its MAC checks under the current key: re-keying an
    // unverified list could wrap the new key to a public key someone slipped in.
    const current = scope.open();
    if (!replace) {
      if (current.raw.equals(raw)) return;
      throw new HushError("KEY_EXISTS", `A key for ${environment} is already stored in ${path}; hush never replaces a key unasked.`);
    }
    const members = current.doc.members.map((m) => ({ ...m, stanza: wrapToRecipient(raw, parseMemberPublicKey(m.publicKey), environment) }));
    await writeMembersFile(path, environment, members, raw);
    return;
  }
  const identity = readMemberIdentity(scope.identityPath, { optional: false, onWarning: scope.onWarning })!;
  if (!MEMBER_NAME_PATTERN.test(scope.name)) throw new HushError("CONFIG_INVALID", "The team provider's `name` is not a valid member name (letters, digits, '.', '_', '@', '-').");
  const pub = rawPublicKey(identity);
  await writeMembersFile(path, environment, [{ name: scope.name, publicKey: formatMemberPublicKey(pub), stanza: wrapToRecipient(raw, pub, environment) }], raw);
}
