/**
 * `hush incident mark ID` as a library call: writes the mark-compromised audit record that
 * `hush incident` could not write when it ran (the audit trail was down, full, or off), for the
 * version the incident record names, then records that in the incident: `rotation.markedCompromised`
 * true, the reason cleared, a line under "what hush did", and the checklist item "Mark ...
 * compromised in the audit trail" ticked. The JSON and the Markdown are re-written together under
 * the incident's lock, as `hush incident close` does.
 *
 * The mark is written for the incident's version, not the one served now: re-running
 * `hush incident NAME` after a rotation would mark the new version. A record already marked is
 * refused (nothing written), and so is one whose mark fails again (the record is left as it was).
 *
 * @example
 * const r = await markIncidentCompromised({ cwd: repo, id: "2026-11-29T18-30" });
 * console.log(r.rotation.markedCompromised, r.files.json);
 */
import { HushError, isHushError } from "../errors.js";
import { withLock } from "../fs/lock.js";
import type { AtomicWriteFs } from "../fs/atomic-write.js";
import { loadConfig } from "../config/load.js";
import { withProject, type ProjectOptions } from "./project.js";
import { findIncident } from "./incident-close.js";
import { incidentLockPath, listIncidentRecords, rewriteIncidentRecord, type ChecklistItem, type IncidentListing, type IncidentRecord } from "./incident-record.js";

/** Options of {@link markIncidentCompromised}. */
export interface MarkIncidentOptions extends ProjectOptions {
  /** The id as `hush incident list` shows it, or a prefix of exactly one id. */
  id: string;
}

/** Writes the missing mark of incident `options.id`; returns the updated record and its files. */
export function markIncidentCompromised(options: MarkIncidentOptions): Promise<IncidentListing> {
  return markIncidentCompromisedWith(options);
}

/** {@link markIncidentCompromised} with the file-system calls of the record's writes replaced (fault-injection tests). */
export async function markIncidentCompromisedWith(options: MarkIncidentOptions, fs?: Partial<AtomicWriteFs>): Promise<IncidentListing> {
  const loaded = options.loaded ?? (await loadConfig({ cwd: options.cwd, environment: options.environment, env: options.env }));
  const found = findIncident(listIncidentRecords(loaded.root), options.id);
  refuseIfMarked(found);
  return withProject({ ...options, loaded: undefined, environment: found.environment }, ({ manager }) =>
    withLock(incidentLockPath(loaded.root, found.id), async () => {
      // Read again under the lock: another mark may have happened since the lookup.
      const current = listIncidentRecords(loaded.root).find((r) => r.id === found.id);
      if (!current) throw new HushError("NOT_FOUND", `The incident record ${found.id} was removed while marking it.`);
      refuseIfMarked(current);
      const { files, ...record } = current;
      const version = record.secret.version;
      // Confirmed: resolves only once a persistent audit sink kept the record (AUDIT_FAILED otherwise).
      await manager.recordCompromised(record.name, { source: record.secret.source, ...(version === null ? {} : { version }) });
      try {
        return await rewriteIncidentRecord(files, marked(record, new Date()), fs);
      } catch (e) {
        if (!isHushError(e)) throw e;
        throw new HushError(e.code, `${e.message} The mark-compromised record WAS written to the audit trail; the incident record ${files.json} still says it was not.`, {
          hint: `Do not run \`hush incident mark\` again (it would write a second mark): set rotation.markedCompromised to true and tick "${MARK_ITEM_START}..." in ${files.json} by hand.`,
        });
      }
    }),
  );
}

/** True for the checklist item an incident leaves when its mark was not written (old and new wording). */
export function isMarkItem(c: ChecklistItem): boolean {
  return c.item.startsWith(MARK_ITEM_START) && c.item.includes("compromised in the audit trail");
}

// --- internal ---

const MARK_ITEM_START = "Mark ";

function refuseIfMarked(r: IncidentRecord): void {
  if (!r.rotation.markedCompromised) return;
  throw new HushError("INVALID_ARGUMENT", `Incident ${r.id}: ${versionOf(r)} of ${r.name} is already marked compromised in the audit trail; nothing was written.`, {
    hint: "`hush audit log --secret NAME` shows the mark-compromised record.",
  });
}

function marked(r: IncidentRecord, at: Date): IncidentRecord {
  return {
    ...r,
    rotation: { ...r.rotation, markedCompromised: true, markError: null },
    done: [...r.done, `Marked ${versionOf(r)} compromised in the audit trail (action mark-compromised) at ${at.toISOString()}, with \`hush incident mark\`.`],
    checklist: r.checklist.map((c) => (isMarkItem(c) ? { ...c, done: true } : c)),
  };
}

function versionOf(r: IncidentRecord): string {
  return r.secret.version === null ? "the compromised value" : `version ${r.secret.version}`;
}
