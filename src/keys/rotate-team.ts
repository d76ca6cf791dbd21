/**
 * Re-keying an environment whose key is kept by the `team` provider (`hush member remove`
 * re-keys this way): a new key, the local store re-encrypted under it, the new key wrapped to
 * every member still listed. The `keys` branch's `hush key rotate` covers keys kept in a file
 * (`file`, `user`); this is the same recipe with the members file in the key file's place.
 *
 * Two files (store and members file) cannot be replaced in one atomic step, so under the store's
 * lock:
 *
 *   1. `<members>.pending` = the members re-wrapped to the new key (crash: old store + old members; the pending file is stale)
 *   2. store re-encrypted, atomic rename                          (crash: new store + old members + pending = the new key)
 *   3. store read back with the new key
 *   4. the audit log's anchor and start marker re-MACed under the new key (src/audit/rekey.ts;
 *      before the rename, which leaves nothing to settle; settling redoes it)
 *   5. `<members>.pending` renamed over the members file (atomic) (done)
 *
 * {@link settleTeamRotation} settles what a crash left, under the same lock, at the start of the
 * next re-key: a pending members file whose key opens the store replaces the members file (roll
 * forward); one whose key does not is removed. Until then, the `team` provider warns that a
 * re-key was interrupted (the store says WRONG_KEY after a crash between 2 and 4).
 */
import { readFileSync, renameSync, unlinkSync, lstatSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { HushError } from "../errors.js";
import { generateFernetKey, parseFernetKey, type FernetKey } from "../crypto/fernet.js";
import { fsyncDir } from "../crypto/key-file.js";
import { writeFileAtomic } from "../fs/atomic-write.js";
import { withLock } from "../fs/lock.js";
import { decodeStoreFile, encodeStoreFile } from "../sources/local/store-file.js";
import { rekeyAuditLog, type AuditRekeyResult } from "../audit/rekey.js";
import { opens, readStore } from "./rotate-store.js";
import type { KeyProviderContext } from "./provider.js";
import { rewrapMemberEntries } from "./members.js";
import { createTeamKeyProvider, type TeamKeyProviderOptions } from "./team.js";
import { membersFilePath } from "./members-file.js";

/** Options of {@link rotateTeamKey}. */
export interface RotateTeamKeyOptions {
  context: KeyProviderContext;
  /** The `team` provider's options from hush.yaml. */
  options?: TeamKeyProviderOptions;
  /** How long to wait for the store's lock. @default 30000 */
  lockTimeoutMs?: number;
  /** Called after each step (tests use it to stop at each point). */
  onStep?: (step: "pending" | "store" | "readBack" | "audit" | "done") => void | Promise<void>;
}

/** What a team re-key did. */
export interface TeamRotationResult {
  environment: string;
  provider: "team";
  /** The members file, now wrapping the new key. */
  membersPath: string;
  /** False when there was no store yet (only the key was replaced). */
  reencrypted: boolean;
  /** How many members the new key was wrapped to. */
  members: number;
  /** The audit log's anchor and start marker, moved to the new key when they verified under the old one. */
  audit: AuditRekeyResult;
}

/** Re-keys the environment: see the module comment for the steps and their crash states. */
export async function rotateTeamKey(options: RotateTeamKeyOptions): Promise<TeamRotationResult> {
  const { context } = options;
  const membersPath = membersPathOf(options);
  const pendingPath = `${membersPath}.pending`;
  const storePath = join(context.secretsDir, `${context.environment}.store`);
  const step = options.onStep ?? (() => undefined);
  return withLock(join(context.secretsDir, `${context.environment}.lock`), async () => {
    await settle(options, storePath);
    const oldKey = await createTeamKeyProvider(options.options ?? {}, context).load();
    const newKey = parseFernetKey(generateFernetKey());
    await rewrapMemberEntries({ root: context.root, environment: context.environment, path: membersPath, to: pendingPath, currentKey: oldKey, newKey });
    await step("pending");
    const bytes = readStore(storePath);
    if (bytes) {
      const doc = decodeStoreFile(bytes, oldKey, storePath, context.environment);
      await writeFileAtomic(storePath, encodeStoreFile(newKey, doc, storePath));
      await step("store");
      const back = decodeStoreFile(readStore(storePath) ?? Buffer.alloc(0), newKey, storePath, context.environment);
      if (JSON.stringify(back) !== JSON.stringify(doc)) {
        throw new HushError("WRITE_FAILED", `The re-encrypted store ${storePath} did not read back as written; the members file was not replaced.`, { hint: `The store's new key is in ${pendingPath}; run the re-key again to finish it.` });
      }
      await step("readBack");
    }
    // The audit log's anchor and start marker are MACed under a key derived from this one. They
    // move before the members file is replaced: a crash after the rename would leave them under a
    // key no member holds any more, and nothing left to settle.
    const audit = await rekeyAuditLog(context.secretsDir, context.environment, oldKey, newKey);
    await step("audit");
    renameSync(pendingPath, membersPath);
    fsyncDir(dirname(membersPath));
    await step("done");
    const members = (JSON.parse(readFileSync(membersPath, "utf8")) as { members: unknown[] }).members.length;
    return { environment: context.environment, provider: "team" as const, membersPath, reencrypted: bytes !== undefined, members, audit };
  }, { timeoutMs: options.lockTimeoutMs ?? 30_000 });
}

/** Settles an interrupted team re-key (see the module comment). Returns true when it changed something. */
export async function settleTeamRotation(options: RotateTeamKeyOptions): Promise<boolean> {
  const storePath = join(options.context.secretsDir, `${options.context.environment}.store`);
  return withLock(join(options.context.secretsDir, `${options.context.environment}.lock`), () => settle(options, storePath), { timeoutMs: options.lockTimeoutMs ?? 30_000 });
}

// --- internal ---

function membersPathOf(options: RotateTeamKeyOptions): string {
  const given = options.options?.members;
  return given === undefined ? membersFilePath(options.context.root, options.context.environment) : resolve(options.context.root, given);
}

async function settle(options: RotateTeamKeyOptions, storePath: string): Promise<boolean> {
  const membersPath = membersPathOf(options);
  const pendingPath = `${membersPath}.pending`;
  if (!lstatSync(pendingPath, { throwIfNoEntry: false })) return false;
  let pending: FernetKey | undefined;
  try {
    pending = await createTeamKeyProvider({ ...options.options, members: pendingPath }, options.context).load();
  } catch (_e) {
    pending = undefined; // a pending file that does not open for us cannot be the store's key
  }
  const bytes = readStore(storePath);
  let auditFailure: unknown;
  if (pending && bytes && opens(bytes, pending, storePath, options.context.environment)) {
    const old = await createTeamKeyProvider(options.options ?? {}, options.context).load().catch(() => undefined);
    // The audit files first, as in the re-key (a no-op when they already moved: they no longer
    // verify under `old`). When they cannot be re-MACed, the members file is replaced all the
    // same, so the store opens with one key; the failure is thrown once, below.
    if (old) await rekeyAuditLog(options.context.secretsDir, options.context.environment, old, pending).catch((e: unknown) => (auditFailure = e));
    renameSync(pendingPath, membersPath); // step 5 of the interrupted re-key
  } else {
    unlinkSync(pendingPath);
  }
  fsyncDir(dirname(membersPath));
  if (auditFailure !== undefined) throw auditFailure;
  return true;
}
