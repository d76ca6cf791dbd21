/**
 * `hush rotate NAME`: the four steps of a rotation (docs/rotation.md), on the first source of the
 * chain that can stage a pending version (local, postgres, aws, gcp and vault with rotation: true), or the one named:
 *
 * 1. create: the rotator makes the new value; the source stores it as `pending` (check-and-set:
 *    a second rotation of the name is refused with ROTATION_IN_PROGRESS);
 * 2. set: the rotator applies it in the target;
 * 3. test: the rotator checks it works there;
 * 4. finish: the source promotes `pending` to `current` (the old value becomes `previous`).
 *
 * A failure at any step leaves `current` untouched, keeps the pending version, and throws
 * ROTATION_FAILED naming the step; `resume: true` carries on from the stored pending version
 * (set and test run again, so a rotator's set and test must be idempotent). Each step is an
 * audit record (`rotate-create` ... `rotate-revoke`), never with a value.
 *
 * The grace period: the old value stays valid in the target until it ends. With `graceMs: 0` the
 * rotator revokes it at once; otherwise the revoke is recorded as due (./../rotation/due-revokes.ts)
 * and `hush rotate --due` performs it later (a cron job), so no command has to stay running.
 */
import { errorCodeOf, HushError } from "../errors.js";
import { canonicalName } from "../names.js";
import type { SecretRecord, SecretSource } from "../types.js";
import type { SecretsManager } from "../manager-types.js";
import type { RotatorConfig } from "../config/types.js";
import type { Rotator, RotationStep } from "../rotation/rotator.js";
import { makeRotator } from "../rotation/make-rotator.js";
import { addDueRevoke, dueRevokesPath } from "../rotation/due-revokes.js";
import { withProject, type ProjectOptions } from "./project.js";

/** Options of {@link rotateSecret}. */
export interface RotateOptions extends ProjectOptions {
  name: string;
  /** The rotator to use instead of hush.yaml's `secrets.NAME.rotator`. */
  rotator?: RotatorConfig;
  /** How long the old value stays valid in the target before it is revoked, in ms. @default 600000 (10 minutes) */
  graceMs?: number;
  /** Carry on from the stored pending version instead of creating a new value. @default false */
  resume?: boolean;
  /** The source's name in the chain. @default the first that can stage */
  source?: string;
  /** Progress lines for the person (never values). */
  onProgress?: (message: string) => void;
  /** Reads a value without echoing it, for rotators that ask the person (llm-key). */
  readSecret?: (question: string) => Promise<string>;
  /** The clock, for tests. @default () => new Date() */
  now?: () => Date;
}

/** What a rotation did (no values). */
export interface RotateResult {
  name: string;
  source: string;
  rotator: string;
  /** The new current version, and the one it replaced. */
  version: number;
  previousVersion: number;
  /** True when it carried on from a stored pending version. */
  resumed: boolean;
  /** `done`: revoked now; `due`: recorded for `hush rotate --due` at `revokeDueAt`; `none`: the rotator cannot revoke. */
  revoke: "done" | "due" | "none";
  revokeDueAt?: Date;
  /** What the person must still do by hand (revoke a key in a console, with its link). */
  reminders: string[];
}

/** The default grace period: 10 minutes. */
export const DEFAULT_GRACE_MS = 10 * 60_000;

/**
 * Rotates one secret through the four steps; see the module comment.
 *
 * @example
 * const r = await rotateSecret({ name: "session_secret", rotator: { type: "random", options: {} }, graceMs: 0 });
 * r.version; // the new current version
 */
export async function rotateSecret(options: RotateOptions): Promise<RotateResult> {
  const name = canonicalName(options.name);
  return withProject(options, async ({ manager, loaded }) => {
    const source = stagingSource(manager, options.source, name);
    const config = options.rotator ?? loaded.config.secrets[name]?.rotator;
    if (!config) {
      throw new HushError("INVALID_ARGUMENT", `No rotator for "${name}": add \`rotator: { type: random }\` (or another type) under secrets.${name} in hush.yaml, or pass --rotator.`, { secret: name });
    }
    const rotator = await makeRotator(config, {
      name,
      environment: loaded.environment,
      root: loaded.root,
      policy: loaded.config.secrets[name],
      env: options.env,
      onProgress: options.onProgress,
      readSecret: options.readSecret,
    });
    try {
      return await runSteps({ options, manager, source, rotator, config, name, secretsDir: manager.secretsDir });
    } finally {
      await rotator.dispose?.();
    }
  });
}

// --- internal ---

type Stager = SecretSource & Required<Pick<SecretSource, "stage" | "getPending" | "promote">>;

interface Run {
  options: RotateOptions;
  manager: SecretsManager;
  source: Stager;
  rotator: Rotator;
  config: RotatorConfig;
  name: string;
  secretsDir: string;
}

function stagingSource(manager: SecretsManager, named: string | undefined, name: string): Stager {
  const can = (s: SecretSource): s is Stager => typeof s.stage === "function" && typeof s.getPending === "function" && typeof s.promote === "function";
  const source = named === undefined ? manager.sources.find(can) : manager.sources.find((s) => s.name === named);
  if (!source || !can(source)) {
    const which = named === undefined ? "No source in the chain" : `The source "${named}"`;
    throw new HushError("READ_ONLY", `${which} can stage a pending version, so "${name}" cannot be rotated there (sources that can: local, postgres, aws, gcp with rotation: true, vault with rotation: true).`, { secret: name });
  }
  return source;
}

async function runSteps(run: Run): Promise<RotateResult> {
  const { options, manager, source, rotator, name } = run;
  const progress = options.onProgress ?? (() => undefined);
  const read = await readCurrent(source, name);
  if (!read?.version) throw new HushError("NOT_FOUND", `"${name}" has no current value in the ${source.name} source; set one first with \`hush set ${name}\`.`, { secret: name, source: source.name });
  let current: SecretRecord & { version: number } = { ...read, version: read.version };
  const existing = await source.getPending(name);
  if (options.resume && existing && existing.version === current.version) current = await previousOf(source, name);
  let pending: SecretRecord;
  if (options.resume) {
    if (!existing) throw new HushError("INVALID_ARGUMENT", `"${name}" has no pending version to resume; start a rotation with \`hush rotate ${name}\`.`, { secret: name });
    pending = existing;
    progress(`resuming the rotation of ${name} from pending version ${pending.version}`);
  } else {
    if (existing) throw new HushError("ROTATION_IN_PROGRESS", `"${name}" has a pending version ${existing.version}: another rotation is under way or was interrupted.`, { secret: name, source: source.name });
    pending = await step(run, "create", current, async () => source.stage(name, await rotator.create(current.value)));
    progress(`create: new value stored as pending version ${pending.version}`);
  }
  const values = { value: pending.value, previous: current.value };
  if (rotator.set) await step(run, "set", current, () => rotator.set!(values), pending.version);
  progress(rotator.set ? "set: applied in the target" : "set: nothing to apply");
  if (rotator.test) await step(run, "test", current, () => rotator.test!(values), pending.version);
  progress(rotator.test ? "test: the new value works" : "test: nothing to check");
  const promoted = await step(run, "finish", current, () => source.promote(name, pending.version!), pending.version);
  manager.clearCache();
  progress(`finish: version ${promoted.version} is current; version ${current.version} is previous`);
  const revoke = await scheduleRevoke(run, current);
  return { name, source: source.name, rotator: run.config.type, version: promoted.version!, previousVersion: current.version, resumed: options.resume === true, ...revoke, reminders: rotator.reminders?.() ?? [] };
}

/**
 * The current record with its version number. A source whose reads carry no number (aws: a read is
 * one GetSecretValue) gives it through versions() and getVersion(), which read that very version.
 */
async function readCurrent(source: Stager, name: string): Promise<SecretRecord | undefined> {
  const record = await source.get(name);
  if (!record || record.version !== undefined || !source.versions || !source.getVersion) return record;
  const current = (await source.versions(name)).find((v) => v.labels?.includes("current"));
  const read = current && (await source.getVersion(name, current.version));
  return read && { ...read, version: current.version };
}

/**
 * The value a resumed rotation replaces when its finish was cut half-way (aws: AWSCURRENT moved,
 * AWSPENDING not yet removed): the pending version is current already, so it is `previous`, and
 * never the new value (a revoke of it would revoke the new credential).
 */
async function previousOf(source: Stager, name: string): Promise<SecretRecord & { version: number }> {
  const previous = source.versions && (await source.versions(name)).find((v) => v.labels?.includes("previous"));
  const read = previous && (await source.getVersion?.(name, previous.version));
  if (!previous || !read) {
    throw new HushError("CONCURRENT_MODIFICATION", `The pending version of "${name}" is current already and no previous version is left to tell what it replaced; drop the pending label by hand.`, { secret: name, source: source.name });
  }
  return { ...read, version: previous.version };
}

/** Runs one step and records it; a failure becomes ROTATION_FAILED naming the step (current untouched). */
async function step<T>(run: Run, which: RotationStep, current: SecretRecord, fn: () => Promise<T>, pendingVersion?: number): Promise<T> {
  const { manager, source, name } = run;
  let result: T;
  try {
    result = await fn();
  } catch (e) {
    await manager.recordRotationStep(name, which, "error", { source: source.name, version: pendingVersion, errorCode: errorCodeOf(e) });
    if (e instanceof HushError && e.code === "ROTATION_IN_PROGRESS") throw e;
    throw rotationFailed(name, which, e, current.version!, pendingVersion);
  }
  const version = (result as { version?: number } | undefined)?.version ?? pendingVersion;
  await manager.recordRotationStep(name, which, "served", { source: source.name, version });
  return result;
}

async function scheduleRevoke(run: Run, old: SecretRecord): Promise<Pick<RotateResult, "revoke" | "revokeDueAt">> {
  const { options, rotator, name, source } = run;
  if (!rotator.revoke) return { revoke: "none" };
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  const now = (options.now ?? (() => new Date()))();
  if (graceMs <= 0) {
    await step(run, "revoke", old, () => rotator.revoke!({ value: old.value }), old.version);
    return { revoke: "done" };
  }
  const dueAt = new Date(now.getTime() + graceMs);
  const path = dueRevokesPath(run.secretsDir, run.manager.environment);
  await addDueRevoke(path, { name, source: source.name, version: old.version!, rotator: run.config, rotatedAt: now.toISOString(), dueAt: dueAt.toISOString() });
  options.onProgress?.(`revoke: the old version ${old.version} stays valid until ${dueAt.toISOString()}; \`hush rotate --due\` revokes it then`);
  return { revoke: "due", revokeDueAt: dueAt };
}

/** The error of a failed step: which step, its cause's code and (for a HushError) message, and what is kept. */
function rotationFailed(name: string, which: RotationStep, cause: unknown, currentVersion: number, pendingVersion: number | undefined): HushError {
  // A HushError's message never holds a value (the rule of this codebase); any other error's may
  // (a plug-in rotator's), so only its code or name is shown.
  const why = cause instanceof HushError ? `${cause.code}: ${cause.message}` : `${errorCodeOf(cause) ?? (cause instanceof Error ? cause.name : "an error")} (its message is not shown: it may quote data)`;
  if (which === "revoke") {
    return new HushError("ROTATION_FAILED", `The rotation of "${name}" finished, but revoking the old version ${currentVersion} failed at step "revoke" (${why}); revoke it by hand.`, { secret: name, cause, hint: "The new value is current; only the old one may still be valid in the target." });
  }
  const kept = pendingVersion === undefined ? "nothing was stored" : `pending version ${pendingVersion} is kept for \`hush rotate ${name} --resume\``;
  return new HushError("ROTATION_FAILED", `The rotation of "${name}" failed at step "${which}" (${why}); current is unchanged (version ${currentVersion}); ${kept}.`, { secret: name, cause });
}
