/**
 * Step 5 of `hush incident`: the incident record, as JSON (for tools) and Markdown (for people),
 * in `<project>/.hush/incidents/`. A record never holds a value: names, versions, places
 * (path, line, commit), who read what and when, and the checklist a person still has to do.
 *
 * Mode: the files are 0644 and the folder 0755, on purpose. Records are meant to be committed and
 * read by the team (git keeps no mode but the executable bit, so 0600 would be lost on the first
 * clone anyway), and they hold nothing a reader of the repository could not already find: the
 * leak places point into that same repository, and no value, key or token is ever written.
 */
import { mkdirSync, readdirSync, existsSync } from "node:fs";
import { hostname, userInfo } from "node:os";
import { join } from "node:path";
import { HushError } from "../errors.js";
import { readTrustedFile } from "../fs/read-trusted-file.js";
import { writeFileAtomic, type AtomicWriteFs } from "../fs/atomic-write.js";
import type { IncidentImpact } from "./incident-impact.js";
import type { IncidentLeakReport } from "./incident-leaks.js";
import type { IncidentRotation } from "./incident-rotate.js";
import { renderIncidentMarkdown } from "./incident-markdown.js";

/** Where records live, under the project root. */
export const INCIDENTS_DIR = join(".hush", "incidents");
/** The record format's id, first field of every JSON record. */
export const INCIDENT_FORMAT = "hush-incident/1";

/** One item a person still has to do (or that hush did, with `done: true`). */
export interface ChecklistItem {
  item: string;
  done: boolean;
}

/** The incident record (the JSON file; the Markdown file says the same for people). */
export interface IncidentRecord {
  format: typeof INCIDENT_FORMAT;
  /** `<time>-<name>`: the file names' stem. */
  id: string;
  status: "open" | "closed";
  name: string;
  environment: string;
  openedAt: string;
  openedBy: { user: string; host: string };
  secret: {
    /** The source that served the compromised value. */
    source: string;
    version: number | null;
    /** Since when the compromised version existed. */
    since: string | null;
    owner: string | null;
    type: string | null;
    provider: { id: string; displayName: string; keysPage: string; usageDashboard: string } | null;
  };
  /** What hush did, in order, one line each. */
  done: string[];
  /** The rotation, the revoke and the mark of the compromised version. */
  rotation: IncidentRotation;
  leaks: IncidentLeakReport;
  impact: IncidentImpact;
  checklist: ChecklistItem[];
  /** Set by `hush incident close`: when. */
  closedAt?: string;
  /** Who closed it (`--by`, else the OS user) and on which host. */
  closedBy?: { user: string; host: string };
  /** The closer's note, when one was given. */
  closeNote?: string;
  /** The checklist items still open when it was closed with `--force` (empty otherwise). */
  openAtClose?: string[];
}

/** A record as listed: where its files are. */
export interface IncidentListing extends IncidentRecord {
  files: { json: string; markdown: string };
}

/** The lock file of one record (`hush incident close` and `mark` re-write it under it). */
export function incidentLockPath(root: string, id: string): string {
  return join(root, INCIDENTS_DIR, `.${id}.lock`);
}

/**
 * Writes the record's two files (a new id when the first choice exists); returns their paths.
 * Commands the record names with its id (`hush incident mark ID`) follow a new id.
 */
export async function writeIncidentRecord(root: string, record: IncidentRecord): Promise<IncidentListing> {
  const dir = join(root, INCIDENTS_DIR);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  let id = record.id;
  for (let n = 2; existsSync(join(dir, `${id}.json`)); n++) id = `${record.id}-${n}`;
  const stored: IncidentRecord = id === record.id ? { ...record } : withId(record, id);
  const files = { json: join(dir, `${id}.json`), markdown: join(dir, `${id}.md`) };
  await writeFileAtomic(files.markdown, renderIncidentMarkdown(stored), { mode: 0o644 });
  await writeFileAtomic(files.json, JSON.stringify(stored, null, 2) + "\n", { mode: 0o644 });
  return { ...stored, files };
}

/**
 * Re-writes a listed record's two files with `record`: the Markdown first, then the JSON (the
 * record itself). Each write is atomic; when the JSON's fails, the Markdown's old bytes are put
 * back, so both files keep saying the old record. `fs` is for fault-injection tests.
 */
export async function rewriteIncidentRecord(files: IncidentListing["files"], record: IncidentRecord, fs?: Partial<AtomicWriteFs>): Promise<IncidentListing> {
  const oldMarkdown = readTrustedFile(files.markdown, { maxBytes: 16 * 1024 * 1024, what: "the incident record" });
  await writeFileAtomic(files.markdown, renderIncidentMarkdown(record), { mode: 0o644, fs });
  try {
    await writeFileAtomic(files.json, JSON.stringify(record, null, 2) + "\n", { mode: 0o644, fs });
  } catch (e) {
    if (oldMarkdown !== undefined) await writeFileAtomic(files.markdown, oldMarkdown, { mode: 0o644 }).catch(() => undefined);
    throw e;
  }
  return { ...record, files };
}

/** The person hush names: the OS user (`$USER` when the OS has no name for the uid) and this host. */
export function currentPerson(user?: string): { user: string; host: string } {
  return { user: user ?? osUser(), host: hostname() };
}

/** Every record in the project, oldest first. A file that is not a record is an error, not skipped. */
export function listIncidentRecords(root: string): IncidentListing[] {
  const dir = join(root, INCIDENTS_DIR);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new HushError("READ_FAILED", `Cannot list the incident records in ${dir}.`, { cause: e });
  }
  const out: IncidentListing[] = [];
  for (const file of names.filter((n) => n.endsWith(".json")).sort()) {
    const path = join(dir, file);
    const bytes = readTrustedFile(path, { maxBytes: 16 * 1024 * 1024, what: "the incident record" });
    if (bytes === undefined) continue; // removed since the folder was listed
    const record = parseRecord(bytes.toString("utf8"), path);
    out.push({ ...record, files: { json: path, markdown: path.replace(/\.json$/, ".md") } });
  }
  return out.sort((a, b) => a.openedAt.localeCompare(b.openedAt) || a.id.localeCompare(b.id));
}

/** A file-name-safe id from the time and the name: `2026-11-29T18-30-05Z-openai_api_key`. */
export function incidentId(at: Date, name: string): string {
  return `${at.toISOString().slice(0, 19).replace(/:/g, "-")}Z-${name.replace(/[^a-z0-9_.-]/gi, "_")}`;
}

// --- internal ---

/** The record under another id, its commands (`hush incident mark <id>`) naming the new one. */
function withId(record: IncidentRecord, id: string): IncidentRecord {
  const from = `hush incident mark ${record.id}\``;
  const fix = (text: string) => text.split(from).join(`hush incident mark ${id}\``);
  return {
    ...record,
    id,
    rotation: { ...record.rotation, byHand: record.rotation.byHand.map(fix) },
    checklist: record.checklist.map((c) => ({ ...c, item: fix(c.item) })),
  };
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch (_e) {
    return process.env.USER ?? "unknown";
  }
}

function parseRecord(text: string, path: string): IncidentRecord {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (_e) {
    throw new HushError("CONFIG_INVALID", `${path} is not valid JSON; restore it from git.`);
  }
  const r = o as Partial<IncidentRecord> | null;
  if (!r || r.format !== INCIDENT_FORMAT || typeof r.id !== "string" || typeof r.name !== "string" || typeof r.openedAt !== "string") {
    throw new HushError("CONFIG_INVALID", `${path} is not a hush incident record (format ${INCIDENT_FORMAT}).`);
  }
  return r as IncidentRecord;
}
