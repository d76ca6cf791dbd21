/**
 * `hush rotate --due`: what a cron job or a CI schedule runs (docs/rotation.md, "Schedule").
 *
 * 1. Revokes whose grace period is over (recorded by `hush rotate`, ../rotation/due-revokes.ts)
 *    are performed: the old value is read from its source and handed to the rotator's `revoke`.
 * 2. Every secret of hush.yaml under a rotation policy whose current version is older than its
 *    period is rotated with its `rotator:`; one without a rotator stays due (a person rotates it).
 *
 * One failure does not stop the others; the result says what was done, what failed and what is
 * still due, and `--dry-run` only lists. Exit codes (src/cli/exit-codes.ts): 0 all done,
 * EXIT_ROTATION_STILL_DUE (1) something is still due, ROTATION_FAILED's (11) a rotation or revoke failed.
 */
import { errorCodeOf, HushError } from "../errors.js";
import { makeRotator } from "../rotation/make-rotator.js";
import { dueRevokesPath, readDueRevokes, removeDueRevokes, type DueRevoke } from "../rotation/due-revokes.js";
import type { SecretsManager } from "../manager-types.js";
import type { SecretPolicy } from "../config/types.js";
import { certificateExpiry } from "../rotation/tls-certificate.js";
import { rotateSecret } from "./rotate.js";
import { withProject, type ProjectOptions } from "./project.js";

/** Options of {@link rotateDue}. */
export interface RotateDueOptions extends ProjectOptions {
  /** Only list what is due. @default false */
  dryRun?: boolean;
  /** Grace period of the rotations made, in ms. @default 600000 */
  graceMs?: number;
  onProgress?: (message: string) => void;
  /** The clock, for tests. @default () => new Date() */
  now?: () => Date;
}

/** What `rotateDue` did (no values). */
export interface RotateDueResult {
  revoked: { name: string; version: number }[];
  rotated: { name: string; version: number }[];
  failed: { name: string; step: "rotate" | "revoke"; code: string; message: string }[];
  /** Due and not done: `--dry-run`, no rotator configured, or a revoke whose grace period runs. */
  stillDue: { name: string; reason: string; dueSince?: string }[];
}

/** Performs due revokes and rotates overdue secrets; see the module comment. */
export async function rotateDue(options: RotateDueOptions = {}): Promise<RotateDueResult> {
  const now = (options.now ?? (() => new Date()))();
  const result: RotateDueResult = { revoked: [], rotated: [], failed: [], stillDue: [] };
  const overdue = await withProject(options, async ({ manager, loaded }) => {
    await performRevokes(options, manager, loaded.root, now, result);
    const due: { name: string; since: Date; hasRotator: boolean }[] = [];
    for (const [name, policy] of Object.entries(loaded.config.secrets)) {
      const since = await dueSince(manager, name, policy);
      if (since !== undefined && since <= now) due.push({ name, since, hasRotator: policy.rotator !== undefined });
    }
    return due;
  });
  for (const d of overdue) {
    if (options.dryRun || !d.hasRotator) {
      result.stillDue.push({ name: d.name, reason: options.dryRun ? "due (dry run)" : "due, and hush.yaml names no rotator for it", dueSince: d.since.toISOString() });
      continue;
    }
    try {
      const r = await rotateSecret({ ...options, name: d.name, graceMs: options.graceMs });
      result.rotated.push({ name: d.name, version: r.version });
    } catch (e) {
      result.failed.push({ name: d.name, step: "rotate", code: errorCodeOf(e) ?? "INTERNAL", message: e instanceof HushError ? e.message : "an error that is not a HushError (message not shown)" });
    }
  }
  return result;
}

// --- internal ---

/**
 * When `name` became (or becomes) due: its current version's date plus the policy's period; for a
 * TLS certificate (type or rotator `tls-certificate`), its expiry minus `renewDays` (default 30),
 * read from the PEM. Undefined: no policy, or no current value.
 */
async function dueSince(manager: SecretsManager, name: string, policy: SecretPolicy): Promise<Date | undefined> {
  if (policy.type === "tls-certificate" || policy.rotator?.type === "tls-certificate") {
    const pem = await manager.get(name);
    if (pem === undefined) return undefined;
    const renewDays = typeof policy.rotator?.options.renewDays === "number" ? policy.rotator.options.renewDays : 30;
    return new Date(certificateExpiry(pem, name).getTime() - renewDays * 86_400_000);
  }
  if (policy.rotationDays === undefined) return undefined;
  const current = (await manager.versions(name).catch(() => [])).find((v) => v.labels?.includes("current"));
  return current && new Date(current.createdAt.getTime() + policy.rotationDays * 86_400_000);
}

/** Performs the recorded revokes that are due, each an audit record (`rotate-revoke`). */
async function performRevokes(options: RotateDueOptions, manager: SecretsManager, root: string, now: Date, result: RotateDueResult): Promise<void> {
  const { environment } = manager;
  const path = dueRevokesPath(manager.secretsDir, environment);
  const done: DueRevoke[] = [];
  for (const r of readDueRevokes(path)) {
    if (new Date(r.dueAt) > now || options.dryRun) {
      result.stillDue.push({ name: r.name, reason: new Date(r.dueAt) > now ? `revoke of version ${r.version} after its grace period` : `revoke of version ${r.version} (dry run)`, dueSince: r.dueAt });
      continue;
    }
    try {
      const old = await manager.sources.find((s) => s.name === r.source)?.getVersion?.(r.name, r.version);
      if (!old) throw new HushError("VERSION_NOT_FOUND", `Version ${r.version} of "${r.name}" is no longer in the ${r.source} source; revoke it by hand.`, { secret: r.name });
      const rotator = await makeRotator(r.rotator, { name: r.name, environment, root, env: options.env, onProgress: options.onProgress });
      try {
        await rotator.revoke?.({ value: old.value });
      } finally {
        await rotator.dispose?.();
      }
      await manager.recordRotationStep(r.name, "revoke", "served", { source: r.source, version: r.version });
      result.revoked.push({ name: r.name, version: r.version });
      done.push(r);
      options.onProgress?.(`revoked version ${r.version} of ${r.name}`);
    } catch (e) {
      await manager.recordRotationStep(r.name, "revoke", "error", { source: r.source, version: r.version, errorCode: errorCodeOf(e) });
      result.failed.push({ name: r.name, step: "revoke", code: errorCodeOf(e) ?? "INTERNAL", message: e instanceof HushError ? e.message : "an error that is not a HushError (message not shown)" });
    }
  }
  await removeDueRevokes(path, done);
}
