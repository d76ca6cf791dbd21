/**
 * `hush rotate NAME --discard`: drops the pending version an interrupted or failed rotation left
 * (docs/rotation.md), so a new rotation can start. `current` is untouched.
 *
 * The pending value may already be live in the target: the rotation's `set` step may have run
 * before it stopped. hush does not revoke it (the target may or may not have it); when the
 * rotator of the name can revoke, the result carries a reminder naming the pending version and
 * what the audit trail says about its `set` step: `ran` (a served `rotate-set` record for that
 * version after its `rotate-create`), `did-not-run` (its `rotate-create` record and no
 * `rotate-set` after it), or `unknown` (no readable trail, no `rotate-create` record, or a failed
 * `set` that may have applied part of it). The discard is an audit record (`rotate-discard`),
 * never with a value.
 */
import { errorCodeOf, HushError } from "../errors.js";
import { canonicalName } from "../names.js";
import type { SecretSource } from "../types.js";
import type { RotatorConfig } from "../config/types.js";
import { makeRotator } from "../rotation/make-rotator.js";
import { readProjectAuditLog } from "../audit/project-audit.js";
import { describeUnreadableLines, type UnreadableAuditLines } from "../audit/unreadable-lines.js";
import { withProject, type ProjectOptions } from "./project.js";

/** Options of {@link discardPendingRotation}. */
export interface DiscardPendingOptions extends ProjectOptions {
  name: string;
  /** The source's name in the chain. @default the first that can stage */
  source?: string;
}

/** What the audit trail says about the pending version's `set` step. */
export type PendingSetStatus = "ran" | "did-not-run" | "unknown";

/** What a discard did (no values). */
export interface DiscardPendingResult {
  name: string;
  source: string;
  /** The pending version that was dropped. */
  version: number;
  /** Whether the rotation's `set` step ran for that version, by the audit trail. */
  set: PendingSetStatus;
  /** What the person must still do by hand (revoke the pending value in the target if set ran). */
  reminders: string[];
}

/**
 * Drops the pending version of `name`; INVALID_ARGUMENT when there is none. See the module comment.
 *
 * @example
 * const r = await discardPendingRotation({ name: "db_password" });
 * r.version; // the dropped pending version
 */
export async function discardPendingRotation(options: DiscardPendingOptions): Promise<DiscardPendingResult> {
  const name = canonicalName(options.name);
  return withProject(options, async ({ manager, loaded }) => {
    const source = discardingSource(manager.sources, options.source, name);
    const pending = await source.getPending(name);
    if (!pending?.version) {
      throw new HushError("INVALID_ARGUMENT", `"${name}" has no pending version in the ${source.name} source: nothing to discard.`, { secret: name, source: source.name });
    }
    const version = pending.version;
    const config = loaded.config.secrets[name]?.rotator;
    const canRevoke = config !== undefined && (await rotatorCanRevoke(config, name, loaded.environment, loaded.root, options));
    const set = canRevoke ? await setStatus(options, name, version) : "unknown";
    try {
      if (!(await source.discardPending(name, version))) {
        throw new HushError("CONCURRENT_MODIFICATION", `The pending version ${version} of "${name}" changed while it was being discarded (finished or dropped by another process); nothing was discarded.`, { secret: name, source: source.name });
      }
    } catch (e) {
      await manager.recordRotationStep(name, "discard", "error", { source: source.name, version, errorCode: errorCodeOf(e) });
      throw e;
    }
    await manager.recordRotationStep(name, "discard", "served", { source: source.name, version });
    manager.clearCache();
    return { name, source: source.name, version, set, reminders: canRevoke ? [reminderOf(name, version, set)] : [] };
  });
}

// --- internal ---

type Discarder = SecretSource & Required<Pick<SecretSource, "getPending" | "discardPending">>;

function discardingSource(sources: readonly SecretSource[], named: string | undefined, name: string): Discarder {
  const can = (s: SecretSource): s is Discarder => typeof s.getPending === "function" && typeof s.discardPending === "function";
  const source = named === undefined ? sources.find(can) : sources.find((s) => s.name === named);
  if (!source || !can(source)) {
    const which = named === undefined ? "No source in the chain" : `The source "${named}"`;
    throw new HushError("READ_ONLY", `${which} can stage a pending version, so "${name}" has none to discard there.`, { secret: name });
  }
  return source;
}

/** Whether hush.yaml's rotator of the name has a revoke step (made, never run); one that cannot be made counts as able (remind rather than not). */
async function rotatorCanRevoke(config: RotatorConfig, name: string, environment: string, root: string, options: DiscardPendingOptions): Promise<boolean> {
  const rotator = await makeRotator(config, { name, environment, root, policy: undefined, env: options.env }).catch(() => undefined);
  if (!rotator) return true;
  try {
    return typeof rotator.revoke === "function";
  } finally {
    await rotator.dispose?.();
  }
}

/**
 * The audit trail's word on the pending version's set step; any read failure is `unknown`, and so
 * is "did not run" when lines of the trail could not be read (one may be the set step's record).
 */
async function setStatus(options: DiscardPendingOptions, name: string, version: number): Promise<PendingSetStatus> {
  let created = false;
  let set: PendingSetStatus = "unknown";
  let damaged = false;
  const onUnreadable = (u: UnreadableAuditLines, trail: string) => {
    damaged = true;
    options.onWarning?.(describeUnreadableLines(u, trail));
  };
  try {
    for await (const r of readProjectAuditLog({ cwd: options.cwd, environment: options.environment, secretsDir: options.secretsDir, env: options.env, secret: name, onUnreadable })) {
      if (r.version !== version) continue;
      if (r.action === "rotate-create" && r.outcome === "served") [created, set] = [true, "did-not-run"];
      else if (created && r.action === "rotate-set") set = r.outcome === "served" ? "ran" : set === "ran" ? "ran" : "unknown";
    }
  } catch (_e) {
    return "unknown";
  }
  return damaged && set === "did-not-run" ? "unknown" : set;
}

function reminderOf(name: string, version: number, set: PendingSetStatus): string {
  const said = { ran: "set ran", "did-not-run": "set did not run", unknown: "whether set ran is unknown" }[set];
  // Absence of a record is not proof: a best-effort trail can lose one, so "did not run" still hedges.
  const todo = set === "did-not-run" ? "nothing should need revoking, unless a lost audit record hides a set step" : "revoke it in the target if the set step applied it";
  return `pending version ${version} of ${name} was discarded, not revoked (audit trail: ${said}); ${todo}.`;
}
