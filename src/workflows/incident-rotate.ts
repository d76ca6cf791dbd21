/**
 * Steps 1 and 2 of `hush incident`: rotate now through `hush rotate`'s workflow (a short grace
 * period; 0 revokes at once), mark the compromised version (an audit record, action
 * `mark-compromised`, with its version), and say exactly what is left to revoke by hand: the
 * rotator cannot revoke (an LLM key), the revoke is due after the grace period, the rotation
 * failed, or the secret has no rotator.
 */
import { isHushError } from "../errors.js";
import { rotateSecret, type RotateResult } from "./rotate.js";
import { withProject, type ProjectOptions } from "./project.js";

/** What the incident did about the compromised version. */
export interface IncidentRotation {
  /** `rotated`; `failed` (current unchanged, or only the revoke failed); `skipped` (no rotator, or not asked). */
  status: "rotated" | "failed" | "skipped";
  rotator: string | null;
  compromisedVersion: number | null;
  newVersion: number | null;
  /** `done`: revoked in the target; `due`: after `revokeDueAt`; `none`: the rotator cannot, a person must. */
  revoke: "done" | "due" | "none";
  revokeDueAt: string | null;
  /** The failure's code and message (HushError messages hold no value). */
  error: { code: string; message: string } | null;
  /** True only once the mark-compromised record was kept by a persistent audit sink. */
  markedCompromised: boolean;
  /** Why the mark was not recorded (code and message, no value); null when it was. */
  markError: { code: string; message: string } | null;
  /** Exactly what a person must still revoke or run, one line each. */
  byHand: string[];
}

/** Inputs of {@link rotateCompromised}. */
export interface RotateCompromisedOptions extends ProjectOptions {
  name: string;
  source: string;
  version: number | null;
  /** False: do not rotate (the record says so). */
  rotate: boolean;
  /** No rotator in hush.yaml for the name: rotation is skipped. */
  hasRotator: boolean;
  graceMs: number;
  /** Where a person revokes the value by hand (the provider's keys page), when known. */
  issuerPage: string | null;
  /** The incident's id, for the command that writes a missed mark (`hush incident mark ID`). */
  incidentId: string;
  onProgress?: (message: string) => void;
  readSecret?: (question: string) => Promise<string>;
}

/** Rotates (when it can), marks the compromised version, and lists what is left by hand. */
export async function rotateCompromised(o: RotateCompromisedOptions): Promise<IncidentRotation> {
  const v = o.version === null ? "the compromised value" : `version ${o.version}`;
  const where = o.issuerPage ? ` (${o.issuerPage})` : " (the system that issued it)";
  const out: IncidentRotation = { status: "skipped", rotator: null, compromisedVersion: o.version, newVersion: null, revoke: "none", revokeDueAt: null, error: null, markedCompromised: false, markError: null, byHand: [] };
  if (!o.rotate || !o.hasRotator) {
    const why = o.rotate ? `hush.yaml names no rotator for ${o.name}` : "--no-rotate";
    out.byHand.push(`Not rotated (${why}): make a new value at its issuer${where}, store it with \`hush set ${o.name}\`, then revoke ${v} there.`);
  } else {
    try {
      const r = await rotateSecret({ ...projectOf(o), name: o.name, source: o.source, graceMs: o.graceMs, onProgress: o.onProgress, readSecret: o.readSecret });
      Object.assign(out, fromResult(r));
      out.byHand.push(...byHandAfter(r, o.name, where));
    } catch (e) {
      if (!isHushError(e)) throw e;
      out.status = "failed";
      out.error = { code: e.code, message: e.message };
      out.byHand.push(
        e.message.includes('at step "revoke"')
          ? `Rotated, but revoking ${v} failed (${e.code}): revoke it at its issuer${where} by hand.`
          : `The rotation failed (${e.code}); ${v} is still current and valid: fix the cause, then \`hush rotate ${o.name} --resume\` (or rotate by hand and revoke it at its issuer${where}).`,
      );
    }
  }
  await markCompromised(o, out, v);
  return out;
}

// --- internal ---

/** Marks the version in the audit trail; when the record was not kept, says why and leaves it to a person. */
async function markCompromised(o: RotateCompromisedOptions, out: IncidentRotation, v: string): Promise<void> {
  const details = { source: o.source, ...(o.version === null ? {} : { version: o.version }) };
  try {
    await withProject(projectOf(o), ({ manager }) => manager.recordCompromised(o.name, details));
    out.markedCompromised = true;
  } catch (e) {
    if (!isHushError(e)) throw e;
    out.markError = { code: e.code, message: e.message };
    // Not `hush incident NAME` again: after the rotation it would mark the new version.
    out.byHand.push(`Mark ${v} compromised in the audit trail once it is back: the record was not kept (${e.code}). Run \`hush incident mark ${o.incidentId}\` (it marks ${v} and ticks this item).`);
  }
}

function projectOf(o: RotateCompromisedOptions): ProjectOptions {
  return { cwd: o.cwd, environment: o.environment, secretsDir: o.secretsDir, env: o.env, onWarning: o.onWarning, onDebug: o.onDebug, actor: o.actor };
}

function fromResult(r: RotateResult): Partial<IncidentRotation> {
  return { status: "rotated", rotator: r.rotator, compromisedVersion: r.previousVersion, newVersion: r.version, revoke: r.revoke, revokeDueAt: r.revokeDueAt?.toISOString() ?? null };
}

function byHandAfter(r: RotateResult, name: string, where: string): string[] {
  const lines: string[] = [];
  if (r.revoke === "none") lines.push(`The ${r.rotator} rotator cannot revoke: revoke version ${r.previousVersion} of ${name} at its issuer${where} now.`);
  if (r.revoke === "due") lines.push(`Version ${r.previousVersion} stays valid until ${r.revokeDueAt!.toISOString()} (grace period): run \`hush rotate --due\` then, or revoke it at its issuer${where}.`);
  return [...lines, ...r.reminders];
}
