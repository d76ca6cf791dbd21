/**
 * The audit trail of a project as library calls (`hush audit log|report|verify|review`): each
 * opens the project (hush.yaml, the environment, its key), reads `.secrets/audit.<env>.jsonl`
 * and maps secret ids back to the names the project knows. Never returns a value.
 *
 * @example
 * const review = await reviewProjectAccess({ cwd: process.cwd(), days: 90 });
 * console.log(formatReviewMarkdown(review));
 */
import { isHushError } from "../errors.js";
import type { SecretsManager } from "../manager.js";
import type { LoadedConfig } from "../config/types.js";
import type { ProjectOptions } from "../workflows/project.js";
import { openAuditScope, withAuditScope } from "./project-scope.js";
import type { AuditEntry, AuditRecord } from "./record.js";
import { forEachAuditEntry, sumAuditEntries } from "./read-entries.js";
import { createAccessTally, type SecretAccessSummary } from "./report.js";
import { reviewAccess, type AccessReview, type SecretMeta } from "./review.js";
import { verifyAuditLog, type AuditVerifyResult } from "./verify.js";
import { certificateExpiry } from "../rotation/tls-certificate.js";
import { describeUnreadableLines, type UnreadableAuditLines } from "./unreadable-lines.js";

/** What every reader of the trail takes: where lines that are not records are reported. */
export interface UnreadableLinesOptions {
  /**
   * Called once, after the read, when lines (or rows) of the trail were not records: their count
   * and numbers, never their content. @default a warning through `onWarning` (else stderr)
   */
  onUnreadable?: (unreadable: UnreadableAuditLines, trail: string) => void;
}

/** Options of {@link readProjectAuditLog}: which records (`actor` here filters; it does not name who reads). */
export interface ReadProjectAuditLogOptions extends Omit<ProjectOptions, "actor">, UnreadableLinesOptions {
  /** Only records at or after this ISO time. */
  since?: string;
  /** Only this secret (either name form). */
  secret?: string;
  /** Only accesses served by or written to this source. */
  source?: string;
  /** Only this user, or `user@host`. */
  actor?: string;
}

/** A record with its secret's name, when the project knows it. */
export interface NamedAuditRecord extends AuditRecord {
  name: string | null;
}

/** Options of {@link reportProjectAccess}. */
export interface ReportProjectAccessOptions extends ProjectOptions, UnreadableLinesOptions {
  /** Only records at or after this ISO time. */
  since?: string;
}

/** Options of {@link reviewProjectAccess}. */
export interface ReviewProjectAccessOptions extends ProjectOptions, UnreadableLinesOptions {
  /** Window length in days. @default 90 */
  days?: number;
  /** The review's end. @default now */
  now?: Date;
}

/** {@link verifyAuditLog}'s result, and whether the anchor's MAC could be checked (it needs the key). */
export interface ProjectAuditVerifyResult extends AuditVerifyResult {
  environment: string;
  anchorKeyMissing: boolean;
  /** The postgres sink's chain, when hush.yaml's audit.sinks names it (`ok` covers both). */
  postgres?: AuditVerifyResult;
}

/** The project's access records, oldest first, filtered, each with its name when known. */
export async function* readProjectAuditLog(options: ReadProjectAuditLogOptions = {}): AsyncGenerator<NamedAuditRecord> {
  const scope = await openAuditScope({ ...options, actor: undefined }, { extraNames: options.secret ? [options.secret] : [] });
  try {
    const wanted = options.secret === undefined ? undefined : scope.ids.idOf(options.secret);
    const unreadable = scope.unreadableTally();
    for await (const r of scope.records(unreadable)) {
      if (options.since && r.time < options.since) continue;
      if (wanted && r.secretId !== wanted) continue;
      if (options.source && r.source !== options.source) continue;
      if (options.actor && !matchesActor(r, options.actor)) continue;
      yield { ...r, name: scope.ids.nameOf(r.secretId) ?? null };
    }
    // Whatever the filters: a line that is not a record may have been one that matched them.
    tellUnreadable(options, unreadable.result(), scope.trail);
  } finally {
    await scope.close();
  }
}

/** Per secret: sources, reads, writes, first and last access, distinct actors, across every process. */
export async function reportProjectAccess(options: ReportProjectAccessOptions = {}): Promise<SecretAccessSummary[]> {
  return withAuditScope(options, {}, async ({ logPath, ids, postgres, records, unreadableTally, trail }) => {
    const tally = createAccessTally(ids.nameOf);
    const unreadable = unreadableTally();
    if (postgres) {
      const since = options.since;
      for await (const r of records(unreadable)) if (since === undefined || (r.last ?? r.time) >= since) tally.add(r);
    } else for (const sum of await sumAuditEntries(logPath, options.since, unreadable)) tally.add(sum);
    tellUnreadable(options, unreadable.result(), trail);
    return tally.rows();
  });
}

/** Checks the log's hash chain and anchor; the anchor's MAC only when the environment's key is there. */
export async function verifyProjectAuditLog(options: ProjectOptions = {}): Promise<ProjectAuditVerifyResult> {
  return withAuditScope(options, { keyOptional: true, noNames: true }, async ({ logPath, keys, manager, postgres }) => {
    const r = await verifyAuditLog(logPath, { environment: manager.environment, anchorKey: keys?.anchorKey });
    const result: ProjectAuditVerifyResult = { ...r, environment: manager.environment, anchorKeyMissing: keys === undefined };
    if (postgres) {
      result.postgres = await postgres.verify();
      result.ok = result.ok && result.postgres.ok;
    }
    return result;
  });
}

/** The quarterly access review: unused secrets, missing metadata, rotations overdue, unusual access. */
export async function reviewProjectAccess(options: ReviewProjectAccessOptions = {}): Promise<AccessReview> {
  return withAuditScope(options, {}, async ({ logPath, ids, manager, loaded, names, postgres, records, unreadableTally, trail }) => {
    const unreadable = unreadableTally();
    const review = await reviewAccess({
      ...(postgres ? { records: records(unreadable) } : { forEachRecord: (visit: (r: AuditEntry) => void) => forEachAuditEntry(logPath, visit, unreadable) }),
      secrets: names,
      secretsMeta: metaFromConfig(loaded),
      lastRotation: await lastRotations(manager, names),
      idOf: ids.idOf,
      days: options.days,
      now: options.now,
    });
    review.certificatesExpiring = await expiringCertificates(manager, loaded, options.now ?? new Date());
    review.unreadableLines = unreadable.result();
    tellUnreadable(options, review.unreadableLines, trail);
    return review;
  });
}

// --- internal ---

/** Reports lines that are not records to `onUnreadable`, else as a warning; nothing when there are none. */
function tellUnreadable(options: UnreadableLinesOptions & Pick<ProjectOptions, "onWarning">, u: UnreadableAuditLines | null, trail: string): void {
  if (u === null) return;
  if (options.onUnreadable) return options.onUnreadable(u, trail);
  const warn = options.onWarning ?? ((m: string) => process.stderr.write(`hush: warning: ${m}\n`));
  warn(describeUnreadableLines(u, trail));
}

/** Certificates (type or rotator `tls-certificate`) within `renewDays` of their expiry; unreadable ones are skipped (the rotation reports them). */
async function expiringCertificates(manager: SecretsManager, loaded: LoadedConfig, now: Date): Promise<NonNullable<AccessReview["certificatesExpiring"]>> {
  const out: NonNullable<AccessReview["certificatesExpiring"]> = [];
  for (const [name, p] of Object.entries(loaded.config.secrets)) {
    if (p.type !== "tls-certificate" && p.rotator?.type !== "tls-certificate") continue;
    const pem = await manager.get(name).catch(() => undefined);
    if (pem === undefined) continue;
    let expires: Date;
    try {
      expires = certificateExpiry(pem, name);
    } catch {
      continue;
    }
    const renewDays = typeof p.rotator?.options.renewDays === "number" ? p.rotator.options.renewDays : 30;
    const daysLeft = Math.floor((expires.getTime() - now.getTime()) / 86_400_000);
    if (daysLeft <= renewDays) out.push({ name, expires: expires.toISOString(), daysLeft, renewDays });
  }
  return out;
}

function metaFromConfig(loaded: LoadedConfig): Record<string, SecretMeta> {
  const meta: Record<string, SecretMeta> = {};
  for (const [name, p] of Object.entries(loaded.config.secrets)) {
    // rotationDays is already effective (the type's default applied); absent means none.
    meta[name] = { owner: p.owner, description: p.description, type: p.type, rotationDays: p.rotationDays ?? null };
  }
  return meta;
}

/**
 * Newest version's date per name. Unknown (undefined) only when there is no history: no source
 * in the chain keeps versions (env, .env), or the versioned source has none for the name. Any
 * other failure (wrong key, corrupt store, denied) propagates: it is not "unknown".
 */
async function lastRotations(manager: SecretsManager, names: string[]): Promise<Record<string, Date | undefined>> {
  const out: Record<string, Date | undefined> = {};
  const versioned = manager.sources.some((s) => typeof s.versions === "function");
  for (const name of names) {
    if (!versioned) {
      out[name] = undefined;
      continue;
    }
    try {
      out[name] = (await manager.versions(name))[0]?.createdAt;
    } catch (e) {
      if (!isHushError(e, "NOT_FOUND") && !isHushError(e, "VERSION_NOT_FOUND") && !isHushError(e, "DELETED")) throw e;
      out[name] = undefined;
    }
  }
  return out;
}

function matchesActor(r: AuditRecord, who: string): boolean {
  return who.includes("@") ? `${r.actor.user}@${r.actor.host}` === who : r.actor.user === who;
}
