/**
 * `hush audit verify`: checks a JSONL audit log's hash chain, its anchor and its start marker,
 * and says where it breaks. Finds edited records (content no longer matches its hash, or a
 * re-hashed record whose successor still points at the old hash), deleted records (a gap in
 * `seq`, or a head that does not start at 1), reordered or duplicated records, lines that are
 * not records, a last line cut short, whole records cut from the end (the anchor names a later
 * record), records past the anchor (added without the key), a missing or forged anchor, and a
 * log deleted together with its anchor (the start marker remains). See docs/audit.md.
 */
import { existsSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { GENESIS_HASH, hashRecord } from "./record.js";
import { readAuditLines } from "./read.js";
import { checkWholeChain } from "./verify-fast.js";
import { anchorPathOf, readAnchor, readStartMarker, startMarkerPathOf, type AnchorHead, type AuditAnchor, type AuditStartMarker } from "./anchor.js";
import { withLock } from "../fs/lock.js";
import { HushError, isHushError } from "../errors.js";

/** Kinds of problem `verify` reports. */
export type AuditProblemKind = "edited" | "deleted" | "reordered" | "duplicated" | "malformed" | "truncated" | "anchor" | "unanchored" | "mirror";

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
  /** Things worth saying that are not tampering (no key to check MACs, an interrupted append). */
  notes: string[];
}

/**
 * A second copy of the chain's head kept elsewhere (the PostgreSQL sink, when it exists, will
 * give one): verify compares it with the log.
 */
export interface AuditMirror {
  /** Short name for messages (`postgres`). */
  readonly name: string;
  /** The mirror's last record: seq, hash, record count; undefined when it holds none. */
  head(): Promise<AnchorHead | undefined>;
}

/** Options of {@link verifyAuditLog}. */
export interface VerifyAuditLogOptions {
  /** Environment, for the anchor's MAC. @default read from the file name `audit.<env>.jsonl` */
  environment?: string;
  /** Anchor MAC key (from `deriveAuditKeys`); without it the MACs of the anchor and start marker are not checked. */
  anchorKey?: Buffer;
  /** @default `audit.<env>.head` beside the log */
  anchorPath?: string;
  /** @default `audit.<env>.start` beside the log */
  startMarkerPath?: string;
  /** A mirror of the chain to compare with (see {@link AuditMirror}). @default none */
  mirror?: AuditMirror;
}

/**
 * Verifies the log at `path`. The log's size, anchor and start marker are read together under
 * the log's lock, so appends while it runs are not mistaken for tampering.
 * @example const r = await verifyAuditLog(".secrets/audit.dev.jsonl", { anchorKey }); if (!r.ok) console.log(r.problems);
 */
export async function verifyAuditLog(path: string, options: VerifyAuditLogOptions = {}): Promise<AuditVerifyResult> {
  const environment = options.environment ?? /audit\.([^/\\]+)\.jsonl$/.exec(path)?.[1] ?? "";
  const problems: AuditProblem[] = [];
  const notes: string[] = [];
  const snap = await snapshot(path, environment, options, notes);
  const mirrorHead = options.mirror ? await options.mirror.head() : undefined;
  const anchor = typeof snap.anchorFile === "object" ? snap.anchorFile : undefined;
  const wanted = [anchor?.head, anchor?.pending, mirrorHead].filter((h): h is AnchorHead => h !== undefined).map((h) => h.seq);
  // The common case, a whole chain, in one pass over raw bytes; the full pass says what is wrong.
  const chain = (await checkWholeChain(path, snap.bytes, new Set(wanted))) ?? (await checkChain(path, snap.bytes, new Set(wanted), problems));
  const keyed = options.anchorKey !== undefined;
  if (!keyed) notes.push("no key: the MACs of the anchor and start marker were not checked");
  checkAnchor(snap, chain, keyed, problems, notes);
  if (options.mirror) checkMirror(options.mirror.name, mirrorHead, chain, problems, notes);
  return { ok: problems.length === 0, path, lines: chain.lines, records: chain.records, lastSeq: chain.lastSeq, problems, notes };
}

// --- internal ---

interface Snapshot {
  /** The log's size when the anchor was read; undefined when there is no log. */
  bytes: number | undefined;
  anchorFile: AuditAnchor | "malformed" | undefined;
  marker: AuditStartMarker | "malformed" | undefined;
}

/** What the chain pass found. */
interface Chain {
  lines: number;
  records: number;
  lastSeq: number;
  /** Hash of the first record of each wanted seq. */
  hashAt: Map<number, string>;
  /** Records on lines up to and including the first record of each wanted seq. */
  countAt: Map<number, number>;
}

async function snapshot(path: string, environment: string, options: VerifyAuditLogOptions, notes: string[]): Promise<Snapshot> {
  const read = (): Snapshot => {
    let bytes: number | undefined;
    try {
      bytes = statSync(path).size;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw new HushError("READ_FAILED", `Cannot read the audit log ${path}.`, { cause: e });
      bytes = undefined; // no log
    }
    const anchorFile = readAnchor(options.anchorPath ?? anchorPathOf(path), environment, options.anchorKey);
    const marker = readStartMarker(options.startMarkerPath ?? startMarkerPathOf(path), environment, options.anchorKey);
    return { bytes, anchorFile, marker };
  };
  if (!existsSync(dirname(path))) return read(); // no folder: nothing to lock, nothing to append to
  try {
    return await withLock(`${path}.lock`, read, { timeoutMs: 10_000 });
  } catch (e) {
    // A read-only copy of the folder cannot take the lock; verify it without.
    if (!isHushError(e, "WRITE_FAILED")) throw e;
    notes.push("could not take the log's lock (read-only folder?): an append while verifying may show as a problem");
    return read();
  }
}

/** Pass 1: where each seq first appears. Pass 2: every line in order, the chain's links. */
async function checkChain(path: string, bytes: number | undefined, wanted: Set<number>, problems: AuditProblem[]): Promise<Chain> {
  const chain: Chain = { lines: 0, records: 0, lastSeq: 0, hashAt: new Map(), countAt: new Map() };
  if (bytes === undefined) return chain;
  const firstLineOf = new Map<number, number>();
  for await (const l of readAuditLines(path, { bytes })) if (l.record && !firstLineOf.has(l.record.seq)) firstLineOf.set(l.record.seq, l.line);

  let maxSeqLine = 0;
  let previous: { seq: number; hash: string; line: number } | undefined;
  let damagedSincePrevious = 0;
  for await (const l of readAuditLines(path, { bytes })) {
    chain.lines = l.line;
    const r = l.record;
    if (!r) {
      const kind = l.complete ? "malformed" : "truncated";
      const what = l.complete ? `is ${l.problem} (edited or damaged)` : `is cut short at byte ${l.offset}: the log ends mid-record`;
      problems.push({ kind, line: l.line, message: `line ${l.line} ${what}` });
      previous = undefined;
      damagedSincePrevious++;
      continue;
    }
    chain.records++;
    const at = `line ${l.line} (seq ${r.seq})`;
    if (hashRecord(r) !== r.hash) problems.push({ kind: "edited", line: l.line, seq: r.seq, message: `${at}: its content does not match its hash (edited)` });
    if (wanted.has(r.seq) && !chain.hashAt.has(r.seq)) {
      chain.hashAt.set(r.seq, r.hash);
      chain.countAt.set(r.seq, chain.records);
    }
    const maxSeq = chain.lastSeq;
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
      chain.lastSeq = r.seq;
      maxSeqLine = l.line;
    }
    previous = { seq: r.seq, hash: r.hash, line: l.line };
    damagedSincePrevious = 0;
  }
  return chain;
}

/**
 * The anchor against the log. Fails closed: a log with records needs an anchor whose MAC
 * matches and which names its last record; nothing at all (no record, no anchor, no start
 * marker) is the only state read as "new".
 */
function checkAnchor(snap: Snapshot, chain: Chain, keyed: boolean, problems: AuditProblem[], notes: string[]): void {
  const { anchorFile, marker } = snap;
  const last = chain.lastSeq;
  if (anchorFile === undefined) {
    if (last > 0) {
      problems.push({ kind: "anchor", seq: 1, message: `the anchor file is missing: ${describeSeqs(range(1, last))} not anchored (the anchor was deleted, or the log rewritten)` });
    } else if (marker !== undefined) {
      const since = typeof marker === "object" ? ` (started ${marker.time})` : "";
      problems.push({ kind: "deleted", message: `the start marker says this environment has an audit log${since}, but the log and its anchor are gone (deleted)` });
    } else if (snap.bytes === undefined) notes.push("no audit log yet (no log, no anchor, no start marker)");
    return;
  }
  if (anchorFile === "malformed") {
    problems.push({ kind: "anchor", message: "the anchor file is not readable (edited or damaged)" });
    return;
  }
  if (keyed && anchorFile.macValid === false) {
    // An anchor whose MAC does not match says nothing: no further check against it.
    problems.push({ kind: "anchor", message: "the anchor's MAC does not match (the anchor was edited, or belongs to another key)" });
    return;
  }
  const pending = anchorFile.pending;
  const atPending = pending !== undefined && pending.seq === last && chain.hashAt.get(pending.seq) === pending.hash;
  if (atPending) notes.push(`the last append (to seq ${pending.seq}) was interrupted before its anchor was completed; its records are there`);
  checkHead(atPending ? pending : anchorFile.head, chain, problems);
  checkMarker(anchorFile, marker, keyed, problems, notes);
}

function checkHead(head: AnchorHead, chain: Chain, problems: AuditProblem[]): void {
  const last = chain.lastSeq;
  const recordHash = chain.hashAt.get(head.seq);
  if (head.seq > last) {
    const what = last === 0 ? "the log holds no record" : `the log ends at seq ${last}`;
    problems.push({ kind: "truncated", seq: last + 1, message: `${what} but its anchor names seq ${head.seq}: ${describeSeqs(range(last + 1, head.seq))} cut from the end` });
  } else if (head.seq > 0 && recordHash !== head.hash) {
    problems.push({ kind: "anchor", seq: head.seq, message: `the record seq ${head.seq} does not match the hash in the anchor (rewritten)` });
  } else if (head.seq < last) {
    problems.push({ kind: "unanchored", seq: head.seq + 1, message: `${describeSeqs(range(head.seq + 1, last))} past the anchor (seq ${head.seq}): added without the key, or the log rolled back with an older anchor` });
  } else if (problems.length === 0 && head.seq > 0 && chain.countAt.get(head.seq) !== head.records) {
    problems.push({ kind: "anchor", seq: head.seq, message: `the anchor counts ${head.records} record(s) up to seq ${head.seq}, the log holds ${chain.countAt.get(head.seq)}` });
  }
}

function checkMarker(anchor: AuditAnchor, marker: Snapshot["marker"], keyed: boolean, problems: AuditProblem[], notes: string[]): void {
  if (anchor.version === 1) {
    notes.push("a v1 anchor (no record count, no start marker): the next append upgrades it");
    return;
  }
  if (marker === undefined) problems.push({ kind: "anchor", message: "the start marker is missing (deleted)" });
  else if (marker === "malformed") problems.push({ kind: "anchor", message: "the start marker is not readable (edited or damaged)" });
  else if (keyed && marker.macValid === false) problems.push({ kind: "anchor", message: "the start marker's MAC does not match (edited, or another key's)" });
  else if (marker.id !== anchor.start) problems.push({ kind: "anchor", message: "the anchor belongs to another chain than the start marker (a log and anchor from elsewhere)" });
}

function checkMirror(name: string, head: AnchorHead | undefined, chain: Chain, problems: AuditProblem[], notes: string[]): void {
  const last = chain.lastSeq;
  if (head === undefined) {
    if (last > 0) notes.push(`the mirror ${name} holds no record`);
    return;
  }
  if (head.seq > last) {
    problems.push({ kind: "mirror", seq: last + 1, message: `the mirror ${name} holds records up to seq ${head.seq}, the log ends at seq ${last}: ${describeSeqs(range(last + 1, head.seq))} missing from the log` });
  } else if (chain.hashAt.get(head.seq) !== head.hash) {
    problems.push({ kind: "mirror", seq: head.seq, message: `the record seq ${head.seq} differs from the mirror ${name}'s (one of them was rewritten)` });
  } else if (head.seq < last) notes.push(`the mirror ${name} lags the log by ${last - head.seq} record(s)`);
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
