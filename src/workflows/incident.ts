/**
 * `hush incident NAME` as a library call: the guide's procedure for a compromised secret. It
 * finds where the value leaked (working tree and git history, every encoding the scanner knows),
 * reports the impact from the audit trail (every read of the compromised version: who, when,
 * host, process), and writes an incident record (Markdown + JSON, no value) with a checklist of
 * what is left for a person. `hush incident list` reads the records back.
 *
 * @example
 * const r = await openIncident({ cwd: repo, name: "openai_api_key" });
 * console.log(r.files.markdown, r.leaks.leaks.length, r.impact.readers.length);
 */
import { relative } from "node:path";
import { isHushError } from "../errors.js";
import { canonicalName } from "../names.js";
import type { SecretsManager } from "../manager.js";
import type { LoadedConfig } from "../config/types.js";
import type { SecretRecord } from "../types.js";
import { withAuditScope } from "../audit/project-scope.js";
import { providerOfKeyName, usageDashboardOf } from "../adapters/usage-dashboards.js";
import { loadConfig } from "../config/load.js";
import type { ProjectOptions } from "./project.js";
import { assessImpact, type IncidentImpact } from "./incident-impact.js";
import { describeUnreadableLines } from "../audit/unreadable-lines.js";
import { findLeaks, type IncidentLeakReport } from "./incident-leaks.js";
import { rotateCompromised, type IncidentRotation } from "./incident-rotate.js";
import { currentPerson, incidentId, INCIDENT_FORMAT, listIncidentRecords, writeIncidentRecord, type ChecklistItem, type IncidentListing, type IncidentRecord } from "./incident-record.js";

/** Options of {@link openIncident}. */
export interface OpenIncidentOptions extends ProjectOptions {
  /** The compromised secret (either name form). */
  name: string;
  /** Search the git history as well as the working tree. @default true */
  gitHistory?: boolean;
  /** Rotate now through `hush rotate`'s workflow (hush.yaml's rotator for the name). @default true */
  rotate?: boolean;
  /** Grace period of that rotation, ms; 0 revokes the old value at once. @default 60000 */
  graceMs?: number;
  /** Called as each step starts (for progress on stderr). */
  onStep?: (step: string) => void;
  /** The rotation's progress lines (never values). */
  onProgress?: (message: string) => void;
  /** Reads a value without echoing it, for rotators that ask the person (llm-key). */
  readSecret?: (question: string) => Promise<string>;
}

/** The default grace period of an incident's rotation: one minute. */
export const INCIDENT_GRACE_MS = 60_000;

/**
 * Runs the incident: impact and leaks of the version served now, then the rotation and the mark,
 * then the record. A failed rotation is in the record (and `rotation.status`), not thrown.
 */
export async function openIncident(options: OpenIncidentOptions): Promise<IncidentListing> {
  const name = canonicalName(options.name);
  const openedAt = new Date();
  const step = options.onStep ?? (() => undefined);
  const found = await withAuditScope(options, { extraNames: [name] }, async ({ manager, loaded, logPath, ids, postgres, records, unreadableTally }) => {
    // The audit trail is read before the value: this command's own read is not counted.
    const current = await compromisedVersion(manager, name);
    step("reading the audit trail");
    const trail = postgres ? "postgres audit sink" : relative(loaded.root, logPath) || logPath;
    const impact = await assessImpact({ records, unreadableTally, trail, secretId: ids.idOf(name), version: current.version, since: current.since, until: openedAt });
    const record = await manager.getRecord(name, { required: true });
    step("searching the working tree and the git history");
    const leaks = await findLeaks({ cwd: loaded.root, name, value: record.value, gitHistory: options.gitHistory });
    return { loaded, record, since: current.since, impact, leaks };
  });
  const { loaded, record } = found;
  const provider = providerOfKeyName(name);
  step(options.rotate === false ? "marking the version compromised" : "rotating now and marking the old version compromised");
  const rotation = await rotateCompromised({
    ...options,
    loaded: undefined,
    name,
    source: record.source,
    version: record.version ?? null,
    rotate: options.rotate !== false,
    hasRotator: loaded.config.secrets[name]?.rotator !== undefined,
    graceMs: options.graceMs ?? INCIDENT_GRACE_MS,
    issuerPage: provider?.docs ?? null,
    incidentId: incidentId(openedAt, name),
    onProgress: options.onProgress,
    readSecret: options.readSecret,
  });
  step("writing the incident record");
  return writeIncidentRecord(loaded.root, buildRecord({ name, openedAt, ...found, rotation }));
}

/** Options of {@link listIncidents}. */
export type ListIncidentsOptions = Pick<ProjectOptions, "cwd" | "environment" | "env" | "loaded"> & {
  /** Only the records with this status (`hush incident list --open`). @default every record */
  status?: IncidentRecord["status"];
};

/** The project's incident records (of every environment), oldest first. */
export async function listIncidents(options: ListIncidentsOptions = {}): Promise<IncidentListing[]> {
  const loaded = options.loaded ?? (await loadConfig({ cwd: options.cwd, environment: options.environment, env: options.env }));
  const records = listIncidentRecords(loaded.root);
  return options.status === undefined ? records : records.filter((r) => r.status === options.status);
}

// --- internal ---

/** The version being served now and since when it exists (from the versions of its source). */
async function compromisedVersion(manager: SecretsManager, name: string): Promise<{ version: number | null; since: Date | null }> {
  const record = await manager.getRecord(name, { required: true });
  if (record.version === undefined) return { version: null, since: record.updatedAt ?? null };
  try {
    const versions = await manager.versions(name, { source: record.source });
    const info = versions.find((v) => v.version === record.version);
    return { version: record.version, since: info?.createdAt ?? record.updatedAt ?? null };
  } catch (e) {
    if (!isHushError(e, "READ_ONLY") && !isHushError(e, "VERSION_NOT_FOUND")) throw e;
    return { version: record.version, since: record.updatedAt ?? null };
  }
}

interface RecordInputs {
  name: string;
  openedAt: Date;
  loaded: LoadedConfig;
  record: SecretRecord;
  since: Date | null;
  leaks: IncidentLeakReport;
  impact: IncidentImpact;
  rotation: IncidentRotation;
}

function buildRecord(x: RecordInputs): IncidentRecord {
  const policy = x.loaded.config.secrets[x.name];
  const p = providerOfKeyName(x.name);
  const provider = p ? { id: p.id, displayName: p.displayName, keysPage: p.docs, usageDashboard: usageDashboardOf(p) } : null;
  const leakCount = x.leaks.leaks.length;
  const rot = x.rotation;
  const done = [
    ...rotationDone(rot, x.name),
    `Searched the working tree${x.leaks.gitHistorySearched ? " and the git history" : ""} (${x.leaks.filesScanned} texts) for the value in every encoding the scanner knows: ${leakCount} place${leakCount === 1 ? "" : "s"} found${x.leaks.issues.length ? `, ${x.leaks.issues.length} not scanned` : ""}.`,
    impactDone(x.impact),
    "Wrote this record (no value in it).",
  ];
  return {
    format: INCIDENT_FORMAT,
    id: incidentId(x.openedAt, x.name),
    status: "open",
    name: x.name,
    environment: x.loaded.environment,
    openedAt: x.openedAt.toISOString(),
    openedBy: currentPerson(),
    secret: { source: x.record.source, version: x.record.version ?? null, since: x.since?.toISOString() ?? null, owner: policy?.owner ?? null, type: policy?.type ?? null, provider },
    done,
    rotation: rot,
    leaks: x.leaks,
    impact: x.impact,
    checklist: checklist(x, policy?.owner, provider),
  };
}

function checklist(x: RecordInputs, owner: string | undefined, provider: IncidentRecord["secret"]["provider"]): ChecklistItem[] {
  const since = x.since ? ` since ${x.since.toISOString()}` : "";
  const rot = x.rotation;
  const items: ChecklistItem[] = [
    { item: `Rotate ${x.name} (version ${rot.compromisedVersion ?? "-"} is compromised).`, done: rot.status === "rotated" },
    { item: `Revoke the compromised version in the target.`, done: rot.revoke === "done" && rot.status === "rotated" },
    ...rot.byHand.map((item) => ({ item, done: false })),
  ];
  const left = [
    owner ? `Notify the owner named in hush.yaml: ${owner}.` : `Notify the secret's owner (hush.yaml names none for ${x.name}: add \`owner:\`).`,
    provider
      ? `Check ${provider.displayName}'s usage dashboard for use of the old key${since}: ${provider.usageDashboard}`
      : `Check the target system's own logs for use of the old value${since}.`,
    x.impact.status === "unknown"
      ? `Find who read ${x.name}${since}: the audit trail (${x.impact.trail}) could not be read (${x.impact.error!.code}); run \`hush audit log --secret ${x.name}\` once it is back.`
      : `Confirm that every process listed under "Who read" was expected to read ${x.name}.`,
  ];
  const damaged = x.impact.unreadableLines?.count ?? 0;
  if (damaged > 0) left.push(`Check the ${damaged} ${x.impact.unreadableLines!.unit}${damaged === 1 ? "" : "s"} of the audit trail that could not be read (listed under "Who read"; each may have been a read): run \`hush audit verify\`, keep a copy of the log.`);
  if (x.leaks.leaks.length > 0) left.push("Remove the value from the places listed (a leaked commit stays in clones and forks: rotation is what makes it harmless).");
  left.push("Close the incident: tick this list in the JSON record, run `hush incident close ID`, and commit both files.");
  return [...items, ...left.map((item) => ({ item, done: false }))];
}

function impactDone(i: IncidentImpact): string {
  if (i.status === "unknown") return `Could not read the audit trail (${i.trail}): ${i.error!.code}: ${i.error!.message} Who read the compromised version is UNKNOWN (not zero).`;
  const read = `Read the audit trail (${i.trail}): ${i.reads} served read${i.reads === 1 ? "" : "s"} of the compromised version by ${i.readers.length} process${i.readers.length === 1 ? "" : "es"}`;
  return i.unreadableLines ? `${read}, AT LEAST: ${describeUnreadableLines(i.unreadableLines)}.` : `${read}.`;
}

function rotationDone(r: IncidentRotation, name: string): string[] {
  const v = `version ${r.compromisedVersion ?? "-"}`;
  const lines: string[] = [];
  if (r.status === "rotated") lines.push(`Rotated ${name} with the ${r.rotator} rotator: version ${r.newVersion} is current.`);
  if (r.status === "failed") lines.push(`Tried to rotate ${name}: ${r.error!.code}: ${r.error!.message}`);
  if (r.status === "skipped") lines.push(`Did not rotate ${name} (no rotator, or --no-rotate).`);
  if (r.status === "rotated" && r.revoke === "done") lines.push(`Revoked ${v} in the target.`);
  if (r.status === "rotated" && r.revoke === "due") lines.push(`Recorded the revoke of ${v}, due at ${r.revokeDueAt} (\`hush rotate --due\`).`);
  if (r.markedCompromised) lines.push(`Marked ${v} compromised in the audit trail (action mark-compromised).`);
  else if (r.markError) lines.push(`Could not mark ${v} compromised in the audit trail: ${r.markError.code}: ${r.markError.message}`);
  return lines;
}
