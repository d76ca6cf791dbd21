/**
 * The lines of an audit trail that are not records, as every reader reports them (`audit log`,
 * `report`, `review`, the incident's impact): the trail is tamper-evident, so a line that cannot
 * be read (damaged, injected, cut short) is counted and named by its line number, never skipped
 * quietly. Never the line's content (it may hold a name, or worse): its number, its length in
 * bytes and why it is not a record.
 *
 * A last line without its newline is told apart: an append cut short by a crash (or one being
 * written while the log is read) is a known, benign case; the next append seals it with a newline,
 * and from then on it is a line in the middle like any other (`hush audit verify` reports both).
 *
 * @example
 * const unreadable = createUnreadableTally();
 * for await (const r of readAuditRecords(path, { unreadable })) use(r);
 * const u = unreadable.result(); if (u) console.error(describeUnreadableLines(u, path));
 */

/** How many unreadable lines are listed by number; the count covers every one. */
export const MAX_LISTED_UNREADABLE = 20;

/** One line that is not a record. */
export interface UnreadableAuditLine {
  /** 1-based line of the JSONL log; for the postgres sink, the row's seq. */
  line: number;
  /** Its length in bytes, without the newline. */
  bytes: number;
  /** Why it is not a record (never quotes it). */
  problem: string;
}

/** The lines of a trail that are not records (null where a reader found none). */
export interface UnreadableAuditLines {
  /** `line`: lines of the JSONL log; `row`: rows of the postgres sink (numbered by seq). */
  unit: "line" | "row";
  /** Lines that are not records, not counting a torn last line. */
  count: number;
  /** The first {@link MAX_LISTED_UNREADABLE} of them, in file order. */
  lines: UnreadableAuditLine[];
  /** The log's last line has no newline and is not a record: an append cut short by a crash, or still being written (benign). */
  tornLastLine: { line: number; bytes: number } | null;
}

/** Collects what a reader could not read. */
export interface UnreadableTally {
  /** One line that is not a record; `complete` false for a last line without its newline. */
  add(line: number, bytes: number, problem: string, complete: boolean): void;
  /** What was collected; null when every line was a record. */
  result(): UnreadableAuditLines | null;
}

/** A new, empty tally. */
export function createUnreadableTally(unit: UnreadableAuditLines["unit"] = "line"): UnreadableTally {
  const u: UnreadableAuditLines = { unit, count: 0, lines: [], tornLastLine: null };
  return {
    add(line, bytes, problem, complete) {
      if (!complete) {
        u.tornLastLine = { line, bytes };
        return;
      }
      u.count++;
      if (u.lines.length < MAX_LISTED_UNREADABLE) u.lines.push({ line, bytes, problem });
    },
    result: () => (u.count === 0 && u.tornLastLine === null ? null : { ...u, lines: [...u.lines] }),
  };
}

/**
 * One warning sentence for people: how many lines, which (numbers, lengths, why), and the torn
 * last line apart. `trail`: the log's path or `postgres audit sink`, when it is worth naming.
 */
export function describeUnreadableLines(u: UnreadableAuditLines, trail?: string): string {
  const parts: string[] = [];
  const of = trail === undefined ? "the audit trail" : `the audit trail ${trail}`;
  if (u.count > 0) {
    const listed = u.lines.map((l) => `${l.line} (${l.bytes} bytes, ${l.problem})`).join("; ");
    const more = u.count > u.lines.length ? `; and ${u.count - u.lines.length} more` : "";
    parts.push(
      `${u.count} ${u.unit}${u.count === 1 ? "" : "s"} of ${of} ${u.count === 1 ? "is" : "are"} not a record and ${u.count === 1 ? "was" : "were"} skipped ` +
        `(${u.unit} ${listed}${more}): damaged, edited or an append cut short earlier; run \`hush audit verify\` and keep a copy of the log`,
    );
  }
  if (u.tornLastLine) {
    const t = u.tornLastLine;
    const where = u.count > 0 ? "its" : `${of}'s`;
    parts.push(`${where} last line (line ${t.line}, ${t.bytes} bytes) has no newline and is not a record: an append cut short by a crash, or still being written (a known, benign case; not counted)`);
  }
  return parts.join("; ");
}
