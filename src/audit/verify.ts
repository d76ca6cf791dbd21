/**
 * `hush audit verify`: checks a JSONL audit log's hash chain and its anchor, and says where it
 * breaks. Finds edited records (content no longer matches its hash, or a re-hashed record
 * whose successor still points at the old hash), deleted records (a gap in `seq`, or a head
 * that does not start at 1), reordered or duplicated records, lines that are not records, a
 * last line cut short, and whole records cut from the end (the anchor names a later record).
 */
import { GENESIS_HASH, hashRecord } from "./record.js";
import { readAuditLines } from "./read.js";
import { anchorPathOf, readAnchor } from "./anchor.js";

/** Kinds of problem `verify` reports. */
export type AuditProblemKind = "edited" | "deleted" | "reordered" | "duplicated" | "malformed" | "truncated" | "anchor";

/** One problem, with where it is. */
export interface AuditProblem {
  kind: AuditProblemKind;
  /** 1-based line of the log, when the problem is at a line. */
  line?: number;
  /** The record's seq, when known. */
  seq?: number;
  message: string;
}

/** What `verify` found. */
export interface AuditVerifyResult {
  ok: boolean;
  path: string;
  lines: number;
  records: number;
  /** Highest seq in the log (0 when empty). */
  lastSeq: number;
  problems: AuditProblem[];
  /** Things worth saying that are not tampering (no anchor, anchor lagging). */
  notes: string[];
}

/** Options of {@link verifyAuditLog}. */
export interface VerifyAuditLogOptions {
  /** Environment, for the anchor's MAC. @default read from the file name `audit.<env>.jsonl` */
  environment?: string;
  /** Anchor MAC key (from `deriveAuditKeys`); without it the anchor's MAC is not checked. */
  anchorKey?: Buffer;
  /** @default `audit.<env>.head` beside the log */
  anchorPath?: string;
}

/**
 * Verifies the log at `path`.
 * @example const r = await verifyAuditLog(".secrets/audit.dev.jsonl", { anchorKey }); if (!r.ok) console.log(r.problems);
 */
export async function verifyAuditLog(path: string, options: VerifyAuditLogOptions = {}): Promise<AuditVerifyResult> {
  const environment = options.environment ?? /audit\.([^/\\]+)\.jsonl$/.exec(path)?.[1] ?? "";
  const problems: AuditProblem[] = [];
  const notes: string[] = [];

  // Pass 1: where each seq first appears, so a gap can be told apart from a record moved later.
  const firstLineOf = new Map<number, number>();
  for await (const l of readAuditLines(path)) if (l.record && !firstLineOf.has(l.record.seq)) firstLineOf.set(l.record.seq, l.line);

  const anchor = readAnchor(options.anchorPath ?? anchorPathOf(path), environment, options.anchorKey);
  let anchorRecordHash: string | undefined;

  // Pass 2: every line in order.
  let lines = 0;
  let records = 0;
  let maxSeq = 0;
  let maxSeqLine = 0;
  let previous: { seq: number; hash: string; line: number } | undefined;
  let damagedSincePrevious = 0;
  for await (const l of readAuditLines(path)) {
    lines = l.line;
    const r = l.record;
    if (!r) {
      const kind = l.complete ? "malformed" : "truncated";
      const what = l.complete ? `is ${l.problem} (edited or damaged)` : `is cut short at byte ${l.offset}: the log ends mid-record`;
      problems.push({ kind, line: l.line, message: `line ${l.line} ${what}` });
      previous = undefined;
      damagedSincePrevious++;
      continue;
    }
    records++;
    const at = `line ${l.line} (seq ${r.seq})`;
    if (hashRecord(r) !== r.hash) problems.push({ kind: "edited", line: l.line, seq: r.seq, message: `${at}: its content does not match its hash (edited)` });
    if (typeof anchor === "object" && r.seq === anchor.seq) anchorRecordHash = r.hash;

    const expected = maxSeq + 1;
    if (r.seq > expected) {
      const gone = range(expected, r.seq - 1).filter((s) => !firstLineOf.has(s));
      // Seqs that damaged lines in between probably held are reported as those lines already.
      if (gone.length > damagedSincePrevious) {
        const where = expected === 1 ? "at the start of the log" : `before line ${l.line}`;
        problems.push({ kind: "deleted", line: l.line, seq: r.seq, message: `${describeSeqs(gone)} missing ${where} (deleted)` });
      }
    } else if (r.seq < expected) {
      const first = firstLineOf.get(r.seq)!;
      if (first < l.line) problems.push({ kind: "duplicated", line: l.line, seq: r.seq, message: `${at} repeats the record at line ${first}` });
      else problems.push({ kind: "reordered", line: l.line, seq: r.seq, message: `${at} comes after seq ${maxSeq} (line ${maxSeqLine}): records out of order` });
    }
    if (r.seq === 1 && r.prev !== GENESIS_HASH) {
      problems.push({ kind: "edited", line: l.line, seq: 1, message: `${at}: the first record does not start the chain (prev is not the genesis hash)` });
    } else if (previous && previous.seq === r.seq - 1 && r.prev !== previous.hash) {
      problems.push({ kind: "edited", line: l.line, seq: r.seq, message: `${at}: prev does not match the hash of seq ${previous.seq} (line ${previous.line}); that record was changed and re-hashed, or replaced` });
    }
    if (r.seq > maxSeq) {
      maxSeq = r.seq;
      maxSeqLine = l.line;
    }
    previous = { seq: r.seq, hash: r.hash, line: l.line };
    damagedSincePrevious = 0;
  }

  checkAnchor(anchor, maxSeq, anchorRecordHash, options.anchorKey !== undefined, problems, notes);
  return { ok: problems.length === 0, path, lines, records, lastSeq: maxSeq, problems, notes };
}

// --- internal ---

function checkAnchor(anchor: ReturnType<typeof readAnchor>, maxSeq: number, recordHash: string | undefined, keyed: boolean, problems: AuditProblem[], notes: string[]): void {
  if (anchor === undefined) {
    if (maxSeq > 0) notes.push("no anchor file: records cut from the end of the log cannot be detected");
    return;
  }
  if (anchor === "malformed") {
    problems.push({ kind: "anchor", message: "the anchor file is not readable (edited or damaged)" });
    return;
  }
  if (keyed && anchor.macValid === false) problems.push({ kind: "anchor", message: "the anchor's MAC does not match (the anchor was edited, or belongs to another key)" });
  if (!keyed) notes.push("no key: the anchor's MAC was not checked");
  if (anchor.seq > maxSeq) {
    const what = maxSeq === 0 ? "the log holds no record" : `the log ends at seq ${maxSeq}`;
    problems.push({ kind: "truncated", seq: maxSeq + 1, message: `${what} but its anchor names seq ${anchor.seq}: ${describeSeqs(range(maxSeq + 1, anchor.seq))} cut from the end` });
  } else if (recordHash !== undefined && recordHash !== anchor.hash) {
    problems.push({ kind: "anchor", seq: anchor.seq, message: `the record seq ${anchor.seq} does not match the hash in the anchor (rewritten)` });
  } else if (anchor.seq < maxSeq) {
    notes.push(`the anchor lags the log by ${maxSeq - anchor.seq} record(s) (an append interrupted before the anchor was updated, or records written by another tool)`);
  }
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let s = from; s <= to && out.length < 1_000_000; s++) out.push(s);
  return out;
}

/** "record seq 4 is", "records seq 4-9 are", or a short list. */
function describeSeqs(seqs: number[]): string {
  if (seqs.length === 1) return `record seq ${seqs[0]} is`;
  const contiguous = seqs[seqs.length - 1]! - seqs[0]! === seqs.length - 1;
  if (contiguous) return `records seq ${seqs[0]}-${seqs[seqs.length - 1]} are`;
  return `records seq ${seqs.slice(0, 10).join(", ")}${seqs.length > 10 ? ", ..." : ""} are`;
}
