/**
 * The fast reader of `report` and `review`: every access of the log as an {@link AuditEntry}
 * (no seq, prev or hash: those are verify's), without JSON-parsing each line. In a v2 line the
 * part from `,"env":` to the actor's end repeats for every record of one process, secret and
 * outcome; it is parsed once and looked up after that, and only `time` (and a roll-up's `count`
 * and `last`) is read per line. Any line not in hush's exact v2 form is parsed in full, as
 * read.ts does; lines that are not records go to the `unreadable` tally (numbers and lengths, never
 * the content), as `readAuditRecords` reports them.
 * It does not check hashes (that is `verify`).
 */
import { HushError } from "../errors.js";
import { MAX_LINE_BYTES, parseLine } from "./read.js";
import { V2_HASH_SUFFIX_BYTES, V2_PREFIX, V2_SEAL_BYTES, V2_SEAL_FIELD, type AuditEntry } from "./record.js";
import { scanLines, type LineScan } from "./scan-lines.js";
import type { UnreadableTally } from "./unreadable-lines.js";

/**
 * Calls `visit` with every access of the log at `path`, in file order. The entry objects may
 * share their `actor`; do not change them.
 * @example await forEachAuditEntry(".secrets/audit.dev.jsonl", (e) => tally(e));
 */
export async function forEachAuditEntry(path: string, visit: (entry: AuditEntry) => void, unreadable?: UnreadableTally): Promise<void> {
  const groups = new Map<string, Group | null>();
  let line = 0;
  const scan = await scanLines(path, undefined, (buf, start, end, complete) => {
    line++;
    const entry = (complete && fastEntry(buf, start, end, groups)) || parsed(buf, start, end, line, complete, unreadable);
    if (entry) visit(entry);
  }, undefined, unreadable && ((n, bytes) => tooLong(unreadable, (line = n), bytes)));
  failIfCut(path, scan);
}

/**
 * The log's accesses summed per group (environment, secret, action, outcome, source, version,
 * error and process): one entry per group with `count` the sum, `time` the earliest and `last`
 * the latest access. What `report` needs, at a Map lookup per line and no object per line.
 * `since`: only records whose last access is at or after it (a roll-up counts whole).
 */
export async function sumAuditEntries(path: string, since?: string, unreadable?: UnreadableTally): Promise<AuditEntry[]> {
  const sums = new Map<string, ByteSum | null>();
  const buckets = new Map<number, { bytes: Buffer; sum: ByteSum | null }[]>();
  const slow = new Map<string, Sum>();
  const sinceBytes = since === undefined ? undefined : Buffer.from(since, "latin1");
  const add = (sum: Sum, time: string, last: string, n: number): void => {
    sum.count += n;
    if (time < sum.time) sum.time = time;
    if (last > sum.last) sum.last = last;
  };
  let line = 0;
  const scan = await scanLines(path, undefined, (buf, start, end, complete) => {
    line++;
    const fast = complete ? fastLine(buf, start, end) : undefined;
    if (fast) {
      // Looked up by a hash of the group's bytes, then compared byte for byte: a string key per
      // line (made, hashed, compared) cost a quarter of the report.
      const { groupStart: gs, groupEnd: ge } = fast;
      const fp = fingerprint(buf, gs, ge);
      const bucket = buckets.get(fp);
      let sum: ByteSum | null | undefined;
      if (bucket !== undefined) for (const c of bucket) if (c.bytes.length === ge - gs && c.bytes.compare(buf, gs, ge) === 0) (sum = c.sum);
      if (sum === undefined) {
        const group = parseGroup(buf, gs, ge);
        sum = group && { group, count: 0, min: undefined, max: undefined };
        if (sums.size >= MAX_GROUPS) {
          spill(sums, slow);
          buckets.clear();
        }
        const bytes = Buffer.from(buf.subarray(gs, ge));
        sums.set(bytes.toString("latin1"), sum);
        if (bucket === undefined || buckets.get(fp) === undefined) buckets.set(fp, [{ bytes, sum }]);
        else bucket.push({ bytes, sum });
      }
      if (sum !== null) {
        // Times compared and kept as bytes: a string per line, and V8's string `<`, cost more than the rest.
        const [lastStart, lastEnd] = fast.lastStart === 0 ? [fast.timeStart, fast.timeEnd] : [fast.lastStart, fast.lastEnd];
        if (sinceBytes !== undefined && compareBytes(buf, lastStart, lastEnd, sinceBytes) < 0) return;
        sum.count += fast.count;
        if (sum.min === undefined || compareBytes(buf, fast.timeStart, fast.timeEnd, sum.min) < 0) sum.min = copyInto(sum.min, buf, fast.timeStart, fast.timeEnd);
        if (sum.max === undefined || compareBytes(buf, lastStart, lastEnd, sum.max) > 0) sum.max = copyInto(sum.max, buf, lastStart, lastEnd);
        return;
      }
    }
    const r = parsed(buf, start, end, line, complete, unreadable);
    if (!r || (since !== undefined && (r.last ?? r.time) < since)) return;
    const { env, secretId, action, outcome, source, version, errorCode, actor } = r;
    const key = JSON.stringify([env, secretId, action, outcome, source, version, errorCode, actor.user, actor.host, actor.pid, actor.command]);
    let sum = slow.get(key);
    if (sum === undefined) slow.set(key, (sum = { env, secretId, action, outcome, source, version, errorCode, actor, count: 0, time: r.time, last: r.last ?? r.time }));
    add(sum, r.time, r.last ?? r.time, r.count ?? 1);
  }, undefined, unreadable && ((n, bytes) => tooLong(unreadable, (line = n), bytes)));
  failIfCut(path, scan);
  spill(sums, slow);
  return [...slow.values()].filter((s) => s.count > 0);
}

// --- internal ---

/** The line parsed in full: its record, or undefined and the line counted as unreadable. */
function parsed(buf: Buffer, start: number, end: number, line: number, complete: boolean, unreadable: UnreadableTally | undefined): AuditEntry | undefined {
  const l = parseLine(buf.subarray(start, end), line, 0, complete);
  if (!l.record) unreadable?.add(line, l.bytes, l.problem!, complete);
  return l.record;
}

/** A line longer than MAX_LINE_BYTES: one more line that is not a record (the scan goes on after it). */
function tooLong(unreadable: UnreadableTally, line: number, bytes: number): void {
  unreadable.add(line, bytes, `a line longer than ${MAX_LINE_BYTES} bytes`, true);
}

/** Without a tally, a line too long to read stops the scan: the rest of the log was not read, so no total is given. */
function failIfCut(path: string, scan: LineScan): void {
  if (scan.longLine === undefined || !scan.stopped) return;
  throw new HushError("LIMIT_EXCEEDED", `line ${scan.longLine} of the audit log ${path} is longer than ${MAX_LINE_BYTES} bytes: the log could not be read completely (from that line on), so no total is given.`, {
    hint: "hush does not normally write a line that long: run `hush audit verify` to find what changed the log, and keep a copy before repairing it.",
  });
}

/** A group's running sum (an AuditEntry whose count, time and last are the sums). */
type Sum = Group & { count: number; time: string; last: string };

/** A group's running sum on the fast path, with its earliest and latest times as bytes. */
interface ByteSum {
  group: Group;
  count: number;
  min: Buffer | undefined;
  max: Buffer | undefined;
}

/** Moves the fast sums into the slow map (under their JSON key): when the fast map is full, and at the end. */
function spill(sums: Map<string, ByteSum | null>, slow: Map<string, Sum>): void {
  for (const s of sums.values()) {
    if (!s || s.count === 0) continue;
    const g = s.group;
    const a = g.actor;
    const key = JSON.stringify([g.env, g.secretId, g.action, g.outcome, g.source, g.version, g.errorCode, a.user, a.host, a.pid, a.command]);
    const time = s.min!.toString("latin1");
    const last = s.max!.toString("latin1");
    const other = slow.get(key);
    if (other === undefined) slow.set(key, { ...g, count: s.count, time, last });
    else {
      other.count += s.count;
      if (time < other.time) other.time = time;
      if (last > other.last) other.last = last;
    }
  }
  sums.clear();
}

/** FNV-1a of `buf[start, end)`: the bucket of a group. */
function fingerprint(buf: Buffer, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  return h;
}

/** Byte order of `buf[start, end)` against `other` (ISO times compare as their bytes). */
function compareBytes(buf: Buffer, start: number, end: number, other: Buffer): number {
  const n = Math.min(end - start, other.length);
  for (let i = 0; i < n; i++) {
    const d = buf[start + i]! - other[i]!;
    if (d !== 0) return d;
  }
  return end - start - other.length;
}

/** `buf[start, end)` copied into `target` when it has that length, else into a new buffer. */
function copyInto(target: Buffer | undefined, buf: Buffer, start: number, end: number): Buffer {
  const out = target !== undefined && target.length === end - start ? target : Buffer.allocUnsafe(end - start);
  for (let i = 0; i < out.length; i++) out[i] = buf[start + i]!;
  return out;
}

/** Where the parts of a v2 line in hush's exact form are (positions in the buffer). */
interface FastLine {
  timeStart: number;
  timeEnd: number;
  count: number;
  /** 0 when the line is not a roll-up. */
  lastStart: number;
  lastEnd: number;
  groupStart: number;
  groupEnd: number;
}

const fastLineResult: FastLine = { timeStart: 0, timeEnd: 0, count: 1, lastStart: 0, lastEnd: 0, groupStart: 0, groupEnd: 0 };

/** The parts of a v2 line (one reused object: read it before the next call), or undefined. */
function fastLine(buf: Buffer, start: number, end: number): FastLine | undefined {
  if (!matchesAt(buf, start, PREFIX)) return undefined;
  const bodyEnd = end - V2_HASH_SUFFIX_BYTES;
  let at = start + PREFIX.length;
  while (buf[at]! >= 48 && buf[at]! <= 57) at++;
  at += PREV_AND_TIME;
  if (at >= bodyEnd || !matchesAt(buf, at - TIME_FIELD.length, TIME_FIELD)) return undefined;
  const r = fastLineResult;
  r.timeStart = at;
  r.timeEnd = plainStringEnd(buf, at, bodyEnd);
  if (r.timeEnd < 0) return undefined;
  at = r.timeEnd + 1;
  r.count = 1;
  r.lastStart = 0;
  if (matchesAt(buf, at, COUNT_FIELD)) {
    at += COUNT_FIELD.length;
    let count = 0;
    const first = at;
    while (buf[at]! >= 48 && buf[at]! <= 57 && at - first < 16) count = count * 10 + (buf[at++]! - 48);
    if (at === first || count < 1 || !matchesAt(buf, at, LAST_FIELD)) return undefined;
    r.count = count;
    at += LAST_FIELD.length;
    r.lastStart = at;
    r.lastEnd = plainStringEnd(buf, at, bodyEnd);
    if (r.lastEnd < 0) return undefined;
    at = r.lastEnd + 1;
  }
  if (!matchesAt(buf, at, ENV_FIELD)) return undefined;
  const sealAt = bodyEnd - V2_SEAL_BYTES;
  r.groupStart = at;
  r.groupEnd = sealAt > at && matchesAt(buf, sealAt, SEAL_FIELD) ? sealAt : bodyEnd;
  return r;
}

/** The closing quote of a JSON string that starts at `at` (after its opening quote) and has no escapes; -1 otherwise. */
function plainStringEnd(buf: Buffer, at: number, limit: number): number {
  const close = buf.indexOf(34, at);
  if (close === -1 || close >= limit) return -1;
  for (let i = at; i < close; i++) if (buf[i] === 92) return -1;
  return close;
}

/** The repeating part of a v2 line, parsed once. */
type Group = Pick<AuditEntry, "env" | "secretId" | "action" | "outcome" | "source" | "version" | "errorCode" | "actor" | "detail">;

/** Distinct groups kept before the map starts over (bounds memory on a log of many processes). */
const MAX_GROUPS = 100_000;

const PREFIX = Buffer.from(V2_PREFIX, "latin1");
const PREV_AND_TIME = 9 + 64 + 1 + 9; // ,"prev":" + hash + " + ,"time":"
const TIME_FIELD = Buffer.from(',"time":"', "latin1");
const COUNT_FIELD = Buffer.from(',"count":', "latin1");
const LAST_FIELD = Buffer.from(',"last":"', "latin1");
const ENV_FIELD = Buffer.from(',"env":', "latin1");
const SEAL_FIELD = Buffer.from(V2_SEAL_FIELD, "latin1");

function matchesAt(buf: Buffer, at: number, what: Buffer): boolean {
  for (let i = 0; i < what.length; i++) if (buf[at + i] !== what[i]) return false;
  return true;
}

/** The entry of a v2 line in hush's exact form, or undefined (then the caller parses it in full). */
function fastEntry(buf: Buffer, start: number, end: number, groups: Map<string, Group | null>): AuditEntry | undefined {
  const line = fastLine(buf, start, end);
  if (line === undefined) return undefined;
  const key = buf.toString("latin1", line.groupStart, line.groupEnd);
  let group = groups.get(key);
  if (group === undefined) {
    group = parseGroup(buf, line.groupStart, line.groupEnd);
    if (groups.size >= MAX_GROUPS) groups.clear();
    groups.set(key, group);
  }
  if (group === null) return undefined;
  const time = buf.toString("latin1", line.timeStart, line.timeEnd);
  const rollup = line.lastStart !== 0;
  return {
    time, env: group.env, secretId: group.secretId, action: group.action, outcome: group.outcome, source: group.source, version: group.version, errorCode: group.errorCode, actor: group.actor,
    count: rollup ? line.count : undefined, last: rollup ? buf.toString("latin1", line.lastStart, line.lastEnd) : undefined,
    ...(group.detail === undefined ? {} : { detail: group.detail }),
  };
}

/** `,"env":…,"actor":{…}` as an object, or null when it is not a record's. */
function parseGroup(buf: Buffer, from: number, to: number): Group | null {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(`{${buf.toString("utf8", from + 1, to)}}`) as Record<string, unknown>;
  } catch (_e) {
    return null;
  }
  const a = o.actor as Record<string, unknown> | null;
  const ok =
    typeof o.env === "string" && typeof o.secretId === "string" && typeof o.action === "string" && typeof o.outcome === "string" &&
    (o.source === null || typeof o.source === "string") && (o.version === null || typeof o.version === "number") &&
    (o.errorCode === null || typeof o.errorCode === "string") &&
    typeof a === "object" && a !== null && typeof a.user === "string" && typeof a.host === "string" && typeof a.pid === "number" && typeof a.command === "string";
  return ok ? (o as unknown as Group) : null;
}
