/**
 * `hush incident close ID` as a library call: marks an incident record closed (`closedAt`,
 * `closedBy`, an optional note), re-writes its JSON and its Markdown (rendered from the record),
 * and writes an audit record (action `incident-close`) in the incident's environment.
 *
 * It refuses while checklist items are open (listing them), unless `force` (the record then keeps
 * which items were open), refuses a closed record (saying when and by whom), and refuses when the
 * Markdown has ticks the JSON lacks (closing would overwrite them). The item "Close the incident"
 * is not required to be ticked: closing ticks it.
 *
 * @example
 * const r = await closeIncident({ cwd: repo, id: "2026-11-29T18-30", note: "usage checked, no abuse" });
 * console.log(r.status, r.closedAt, r.files.json);
 */
import { HushError, isHushError } from "../errors.js";
import { withLock } from "../fs/lock.js";
import { readTrustedFile } from "../fs/read-trusted-file.js";
import type { AtomicWriteFs } from "../fs/atomic-write.js";
import { loadConfig } from "../config/load.js";
import { withProject, type ProjectOptions } from "./project.js";
import { currentPerson, incidentLockPath, listIncidentRecords, rewriteIncidentRecord, type ChecklistItem, type IncidentListing, type IncidentRecord } from "./incident-record.js";

/** Options of {@link closeIncident}. */
export interface CloseIncidentOptions extends ProjectOptions {
  /** The id as `hush incident list` shows it, or a prefix of exactly one id. */
  id: string;
  /** Why it is closed, what was found (kept in the record only; at most 4000 characters). */
  note?: string;
  /** Who closes it. @default the OS user */
  by?: string;
  /** Close although checklist items are open; the record lists them. @default false */
  force?: boolean;
}

// eslint-disable-next-line no-control-regex -- control characters are what it refuses
const CONTROL = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex -- the same, newline and tab allowed
const CONTROL_BUT_NEWLINE_TAB = /[\u0000-\u0008\u000b-\u001f\u007f]/;

/** Closes the incident `options.id`; returns the closed record and its files. */
export function closeIncident(options: CloseIncidentOptions): Promise<IncidentListing> {
  return closeIncidentWith(options);
}

/** {@link closeIncident} with the file-system calls of the writes replaced (fault-injection tests). */
export async function closeIncidentWith(options: CloseIncidentOptions, fs?: Partial<AtomicWriteFs>): Promise<IncidentListing> {
  checkText(options.by, "--by", 128, CONTROL);
  checkText(options.note, "--note", 4000, CONTROL_BUT_NEWLINE_TAB);
  const loaded = options.loaded ?? (await loadConfig({ cwd: options.cwd, environment: options.environment, env: options.env }));
  const found = findIncident(listIncidentRecords(loaded.root), options.id);
  // The manager opens first: a close that could not be audited changes nothing.
  return withProject({ ...options, loaded: undefined, environment: found.environment }, async ({ manager }) => {
    const secret = { source: found.secret.source, ...(found.secret.version === null ? {} : { version: found.secret.version }) };
    let closed: IncidentListing;
    try {
      closed = await withLock(incidentLockPath(loaded.root, found.id), () => closeLocked(loaded.root, found.id, options, fs));
    } catch (e) {
      await manager.recordIncidentClosed(found.name, "error", { ...secret, errorCode: isHushError(e) ? e.code : "INTERNAL" }).catch(() => undefined);
      throw e;
    }
    await manager.recordIncidentClosed(found.name, "served", secret);
    return closed;
  });
}

/**
 * The record whose id is `query`, else the one record whose id starts with it. Unknown is
 * NOT_FOUND and ambiguous INVALID_ARGUMENT, each naming the candidate ids.
 */
export function findIncident(records: IncidentListing[], query: string): IncidentListing {
  const q = query.trim();
  if (q === "") throw new HushError("INVALID_ARGUMENT", "An incident id is required (`hush incident list` shows them).");
  const exact = records.find((r) => r.id === q);
  if (exact) return exact;
  const matches = records.filter((r) => r.id.startsWith(q));
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    throw new HushError("INVALID_ARGUMENT", `"${q}" matches ${matches.length} incidents: ${idList(matches)}.`, { hint: "Give more of the id, or all of it." });
  }
  const known = records.length === 0 ? "the project has none" : `the ids are: ${idList(records)}`;
  throw new HushError("NOT_FOUND", `No incident id starts with "${q}"; ${known}.`, { hint: "`hush incident list` shows the ids." });
}

/** Items not done, except "Close the incident" (closing does that one). */
export function openItems(checklist: ChecklistItem[]): string[] {
  return checklist.filter((c) => !c.done && !isCloseItem(c)).map((c) => c.item);
}

// --- internal ---

async function closeLocked(root: string, id: string, options: CloseIncidentOptions, fs: Partial<AtomicWriteFs> | undefined): Promise<IncidentListing> {
  // Read again under the lock: another close may have happened since the lookup.
  const current = listIncidentRecords(root).find((r) => r.id === id);
  if (!current) throw new HushError("NOT_FOUND", `The incident record ${id} was removed while closing it.`);
  const { files, ...record } = current;
  if (record.status === "closed") {
    const by = record.closedBy ? `${record.closedBy.user}@${record.closedBy.host}` : "an unknown person";
    throw new HushError("INVALID_ARGUMENT", `Incident ${id} is already closed: closed at ${record.closedAt ?? "an unknown time"} by ${by}.`, { hint: "Nothing to do; to reopen it, set `status` to `open` in its JSON record." });
  }
  checkMarkdownTicks(files.markdown, record);
  const open = openItems(record.checklist);
  if (open.length > 0 && !options.force) {
    throw new HushError("INVALID_ARGUMENT", `Incident ${id} has ${open.length} checklist item${open.length === 1 ? "" : "s"} still open:\n${open.map((i) => `  [ ] ${i}`).join("\n")}`, {
      hint: "Do them and tick them in the JSON record (`done: true`), or close anyway with --force (the record keeps which items were open).",
    });
  }
  const closed: IncidentRecord = {
    ...record,
    status: "closed",
    checklist: record.checklist.map((c) => (isCloseItem(c) ? { ...c, done: true } : c)),
    closedAt: new Date().toISOString(),
    closedBy: currentPerson(options.by?.trim()),
    ...(options.note === undefined ? {} : { closeNote: options.note }),
    openAtClose: open,
  };
  return rewriteIncidentRecord(files, closed, fs);
}

function isCloseItem(c: ChecklistItem): boolean {
  return c.item.startsWith("Close the incident");
}

/** A person may have ticked items in the Markdown: closing would re-render it and lose them. */
function checkMarkdownTicks(path: string, record: IncidentRecord): void {
  const bytes = readTrustedFile(path, { maxBytes: 16 * 1024 * 1024, what: "the incident record" });
  if (bytes === undefined) return; // no Markdown: nothing to lose, it is written anew
  const ticked = new Set<string>();
  let inList = false;
  for (const line of bytes.toString("utf8").split("\n")) {
    if (line.startsWith("## ")) inList = line.trim() === "## Checklist";
    const m = inList ? /^- \[[xX]\] (.*)$/.exec(line) : null;
    if (m) ticked.add(m[1]!.trimEnd());
  }
  const ahead = record.checklist.filter((c) => !c.done && !isCloseItem(c) && ticked.has(c.item));
  if (ahead.length === 0) return;
  throw new HushError("CONFIG_INVALID", `${path} has ${ahead.length} item${ahead.length === 1 ? "" : "s"} ticked that its JSON record has open:\n${ahead.map((c) => `  [x] ${c.item}`).join("\n")}`, {
    hint: "The JSON is the record and the Markdown is rendered from it: tick those items in the JSON (`done: true`), then close again.",
  });
}

function checkText(text: string | undefined, flag: string, max: number, forbidden: RegExp): void {
  if (text === undefined) return;
  if (text.trim() === "") throw new HushError("INVALID_ARGUMENT", `${flag} is empty.`);
  if (text.length > max) throw new HushError("INVALID_ARGUMENT", `${flag} is longer than ${max} characters.`);
  if (forbidden.test(text)) throw new HushError("INVALID_ARGUMENT", `${flag} holds control characters${flag === "--note" ? " (newlines and tabs are fine)" : ""}.`);
}

function idList(records: IncidentListing[]): string {
  const ids = records.map((r) => r.id);
  return ids.length <= 10 ? ids.join(", ") : `${ids.slice(0, 10).join(", ")} and ${ids.length - 10} more`;
}
