/**
 * Step 4 of `hush incident`: the impact, from the audit trail. Every served read of the
 * compromised version (a record without a version, from a source that keeps none, counts when it
 * falls within the version's lifetime), grouped by process: who, from which host, which pid and
 * command, how many times, first and last. Records name secrets by keyed id; the id of the name
 * is computed with the environment's key, so only a key holder can run this.
 *
 * The records come from the project's audit trail as `hush audit report` reads it
 * (audit/project-scope.ts `records()`): the postgres sink's table when hush.yaml's audit.sinks
 * names it, else the JSONL file. A trail that cannot be read (PostgreSQL down, the file
 * unreadable) makes the impact `unknown`, with the error's code and message, never zero readers.
 *
 * Lines (or rows) of a readable trail that are not records do not make it `unknown`: the impact
 * stays `known` and is flagged (`unreadableLines`, with their numbers, never their content), and
 * its counts are then a lower bound: a damaged line may have been a read of the compromised
 * version. Throwing away every reader found because one line is damaged would help nobody. A torn
 * last line (an append cut short by a crash) is flagged too, told apart: benign for the log, but
 * the access it was recording, if any, is not counted.
 */
import { isHushError } from "../errors.js";
import type { AuditEntry } from "../audit/record.js";
import { createUnreadableTally, type UnreadableAuditLines, type UnreadableTally } from "../audit/unreadable-lines.js";

/** One process that read the compromised value. */
export interface IncidentReader {
  user: string;
  host: string;
  pid: number;
  command: string;
  /** Served reads (a roll-up counts as its count). */
  reads: number;
  firstRead: string;
  lastRead: string;
  /** Sources that served it. */
  sources: string[];
}

/** What the audit trail says about the compromised version. */
export interface IncidentImpact {
  /** `known`: the whole trail was read. `unknown`: it could not be (see `error`); the counts are null and `readers` is empty because nothing is known, not because nobody read it. */
  status: "known" | "unknown";
  /** The trail read: `postgres audit sink` or the JSONL file's path (relative to the project). */
  trail: string;
  /** Why the impact is unknown: the error's code and message (names and places, never a value). */
  error: { code: string; message: string } | null;
  /** The version, when the source keeps versions. */
  version: number | null;
  /** Since when that version existed (its creation), when known. */
  since: string | null;
  /** Served reads in all; null when unknown. */
  reads: number | null;
  /** Distinct `user@host`. */
  actors: string[];
  /** One entry per process, oldest first. */
  readers: IncidentReader[];
  /** Reads that were denied or failed (someone tried), and writes of the name, for context; null when unknown. */
  failedReads: number | null;
  writes: number | null;
  /** Lines (rows) of the trail that are not records: the counts above are then a lower bound. Null: none (or unknown). Absent in records written before hush reported them. */
  unreadableLines?: UnreadableAuditLines | null;
}

/** Options of {@link assessImpact}. */
export interface AssessImpactOptions {
  /** The trail's records (the audit scope's `records()`: postgres sink or JSONL file), lines that are not records counted in `unreadable`. */
  records: (unreadable: UnreadableTally) => AsyncIterable<AuditEntry>;
  /** The tally `records` is given (the scope's `unreadableTally()`). @default lines */
  unreadableTally?: () => UnreadableTally;
  /** What `records` reads, for the record (`postgres audit sink`, or the log's path relative to the project). */
  trail: string;
  /** The secret's keyed id (see audit/secret-id.ts). */
  secretId: string;
  version: number | null;
  since: Date | null;
  /** Records at or after this time are not counted (the incident's own reads). */
  until?: Date;
}

/**
 * Reads the trail once and tallies the reads of the compromised version per process. A trail
 * that fails to read (a HushError) gives an `unknown` impact instead of throwing: the incident
 * goes on to rotate, which is more urgent than the report.
 */
export async function assessImpact(options: AssessImpactOptions): Promise<IncidentImpact> {
  const since = options.since?.toISOString() ?? null;
  const until = options.until?.toISOString();
  const readers = new Map<string, IncidentReader>();
  let failedReads = 0;
  let writes = 0;
  const unreadable = options.unreadableTally?.() ?? createUnreadableTally();
  try {
    for await (const r of options.records(unreadable)) {
      if (r.secretId !== options.secretId || (until !== undefined && r.time >= until)) continue;
      if (r.action !== "read") {
        if (r.action === "write" || r.action === "delete" || r.action === "rollback") writes++;
        continue;
      }
      if (r.outcome === "denied" || r.outcome === "error") failedReads += r.count ?? 1;
      if (r.outcome !== "served" || !isCompromisedVersion(r, options.version, since)) continue;
      tally(readers, r);
    }
  } catch (e) {
    if (!isHushError(e)) throw e;
    const error = { code: e.code, message: e.message };
    return { status: "unknown", trail: options.trail, error, version: options.version, since, reads: null, actors: [], readers: [], failedReads: null, writes: null, unreadableLines: null };
  }
  const list = [...readers.values()].sort((a, b) => a.firstRead.localeCompare(b.firstRead) || a.pid - b.pid);
  return {
    status: "known",
    trail: options.trail,
    error: null,
    version: options.version,
    since,
    reads: list.reduce((n, r) => n + r.reads, 0),
    actors: [...new Set(list.map((r) => `${r.user}@${r.host}`))].sort(),
    readers: list,
    failedReads,
    writes,
    unreadableLines: unreadable.result(),
  };
}

// --- internal ---

function isCompromisedVersion(r: AuditEntry, version: number | null, since: string | null): boolean {
  if (r.version !== null && version !== null) return r.version === version;
  // No version on one side: the record counts when it falls in the version's lifetime.
  return since === null || (r.last ?? r.time) >= since;
}

function tally(readers: Map<string, IncidentReader>, r: AuditEntry): void {
  const key = `${r.actor.host}\0${r.actor.pid}\0${r.actor.user}\0${r.actor.command}`;
  let reader = readers.get(key);
  if (!reader) {
    reader = { user: r.actor.user, host: r.actor.host, pid: r.actor.pid, command: r.actor.command, reads: 0, firstRead: r.time, lastRead: r.last ?? r.time, sources: [] };
    readers.set(key, reader);
  }
  reader.reads += r.count ?? 1;
  if (r.time < reader.firstRead) reader.firstRead = r.time;
  if ((r.last ?? r.time) > reader.lastRead) reader.lastRead = r.last ?? r.time;
  if (r.source !== null && !reader.sources.includes(r.source)) reader.sources.push(r.source);
}
