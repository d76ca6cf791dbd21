/**
 * The fast reader of `report` and `review`: every access of the log as an {@link AuditEntry}
 * (no seq, prev or hash: those are verify's), without JSON-parsing each line. In a v2 line the
 * part from `,"env":` to the actor's end repeats for every record of one process, secret and
 * outcome; it is parsed once and looked up after that, and only `time` (and a roll-up's `count`
 * and `last`) is read per line. Any line not in hush's exact v2 form is parsed in full, as
 * read.ts does; lines that are not records are skipped, as `readAuditRecords` skips them.
 * It does not check hashes (that is `verify`).
 */
import { parseLine } from "./read.js";
import { V2_HASH_SUFFIX_BYTES, V2_PREFIX, type AuditEntry } from "./record.js";
import { scanLines } from "./scan-lines.js";

/**
 * Calls `visit` with every access of the log at `path`, in file order. The entry objects may
 * share their `actor`; do not change them.
 * @example await forEachAuditEntry(".secrets/audit.dev.jsonl", (e) => tally(e));
 */
export async function forEachAuditEntry(path: string, visit: (entry: AuditEntry) => void): Promise<void> {
  const groups = new Map<string, Group | null>();
  await scanLines(path, undefined, (buf, start, end, complete) => {
    const entry = (complete && fastEntry(buf, start, end, groups)) || parseLine(buf.subarray(start, end), 0, 0, complete).record;
    if (entry) visit(entry);
  });
}

// --- internal ---

/** The repeating part of a v2 line, parsed once. */
type Group = Pick<AuditEntry, "env" | "secretId" | "action" | "outcome" | "source" | "version" | "errorCode" | "actor">;

/** Distinct groups kept before the map starts over (bounds memory on a log of many processes). */
const MAX_GROUPS = 100_000;

const PREFIX = Buffer.from(V2_PREFIX, "latin1");
const PREV_AND_TIME = 9 + 64 + 1 + 9; // ,"prev":" + hash + " + ,"time":"
const TIME_FIELD = Buffer.from(',"time":"', "latin1");
const COUNT_FIELD = Buffer.from(',"count":', "latin1");
const LAST_FIELD = Buffer.from(',"last":"', "latin1");
const ENV_FIELD = Buffer.from(',"env":', "latin1");

function matchesAt(buf: Buffer, at: number, what: Buffer): boolean {
  for (let i = 0; i < what.length; i++) if (buf[at + i] !== what[i]) return false;
  return true;
}

/** The entry of a v2 line in hush's exact form, or undefined (then the caller parses it in full). */
function fastEntry(buf: Buffer, start: number, end: number, groups: Map<string, Group | null>): AuditEntry | undefined {
  if (!matchesAt(buf, start, PREFIX)) return undefined;
  const bodyEnd = end - V2_HASH_SUFFIX_BYTES;
  let at = start + PREFIX.length;
  while (buf[at]! >= 48 && buf[at]! <= 57) at++;
  at += PREV_AND_TIME;
  if (at >= bodyEnd || !matchesAt(buf, at - TIME_FIELD.length, TIME_FIELD)) return undefined;
  const time = plainString(buf, at, bodyEnd);
  if (time === undefined) return undefined;
  at += time.length + 1;
  let count: number | undefined;
  let last: string | undefined;
  if (matchesAt(buf, at, COUNT_FIELD)) {
    at += COUNT_FIELD.length;
    count = 0;
    const first = at;
    while (buf[at]! >= 48 && buf[at]! <= 57 && at - first < 16) count = count * 10 + (buf[at++]! - 48);
    if (at === first || count < 1 || !matchesAt(buf, at, LAST_FIELD)) return undefined;
    at += LAST_FIELD.length;
    last = plainString(buf, at, bodyEnd);
    if (last === undefined) return undefined;
    at += last.length + 1;
  }
  if (!matchesAt(buf, at, ENV_FIELD)) return undefined;
  const key = buf.toString("latin1", at, bodyEnd);
  let group = groups.get(key);
  if (group === undefined) {
    group = parseGroup(buf, at, bodyEnd);
    if (groups.size >= MAX_GROUPS) groups.clear();
    groups.set(key, group);
  }
  if (group === null) return undefined;
  return { time, env: group.env, secretId: group.secretId, action: group.action, outcome: group.outcome, source: group.source, version: group.version, errorCode: group.errorCode, actor: group.actor, count, last };
}

/** The JSON string starting after its opening quote at `at`, when it has no escapes. */
function plainString(buf: Buffer, at: number, limit: number): string | undefined {
  const close = buf.indexOf(34, at);
  if (close === -1 || close >= limit) return undefined;
  const text = buf.toString("latin1", at, close);
  return text.includes("\\") ? undefined : text;
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
