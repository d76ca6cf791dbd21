/**
 * `runWithSecrets`: the library side of `hush run`. Resolves secrets through the chain, starts
 * the command with them in the child's environment only (never in this process's `process.env`,
 * never in argv), passes signals on, and returns the child's exit code (128 + n for signal n).
 *
 * @example
 * import { runWithSecrets } from "hush";
 * const { exitCode } = await runWithSecrets("node", ["agent.js"], { only: ["openai_api_key"] });
 */
import type { Writable } from "node:stream";
import { createSecretsManager, type SecretsManager, type SecretsManagerOptions } from "../manager.js";
import { ERROR_CODES, HushError, type HushErrorCode } from "../errors.js";
import { canonicalName, envName } from "../names.js";
import type { ResolveResult, SecretRecord } from "../types.js";
import { buildChildEnv } from "./child-env.js";
import { exitCodeOf, forwardSignals } from "./signals.js";
import { spawnChild, type ChildExit, type StartedChild } from "./spawn-child.js";

/** Options of {@link runWithSecrets}. */
export interface RunWithSecretsOptions {
  /** The manager to resolve with. @default a new one from `managerOptions` */
  manager?: SecretsManager;
  /**
   * Dispose the manager (which flushes its audit trail) once the child has started, so that work
   * overlaps the child's run; with `watch`, when the run ends. @default true when `manager` is not given
   */
  disposeManager?: boolean;
  /** Options for the manager made when `manager` is not given. @default {} */
  managerOptions?: SecretsManagerOptions;
  /** Inject only these secrets. @default every name the chain lists */
  only?: string[];
  /** Any resolve issue (missing, unreadable) is an error instead of a warning. @default false */
  strict?: boolean;
  /** The child gets only PATH, HOME and the like ({@link CLEAN_ENV_VARIABLES}) plus the secrets. @default false */
  cleanEnv?: boolean;
  /** Replace each injected value in the child's stdout/stderr with `[REDACTED:name]` (pipes them). @default false */
  mask?: boolean;
  /** Restart the child when a secret changes. @default false */
  watch?: boolean;
  /** Milliseconds between SIGTERM and SIGKILL when `watch` restarts the child. @default 5000 */
  restartGraceMs?: number;
  /** Polling period of `watch` for sources that cannot notify, in ms. @default 2000 */
  pollIntervalMs?: number;
  /** The environment the child's is made from. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** The child's working folder. @default the manager's cwd */
  cwd?: string;
  /** Pass SIGINT, SIGTERM and SIGHUP on to the child (and do not die of them). @default true */
  forwardSignals?: boolean;
  /** Signal the child gets if this process dies (Linux with util-linux `setpriv`); false: none. @default "SIGTERM" */
  parentDeathSignal?: NodeJS.Signals | false;
  /** Where masked stdout goes. @default process.stdout */
  stdout?: Writable;
  /** Where masked stderr goes. @default process.stderr */
  stderr?: Writable;
  /** Warnings: resolve issues, restarts (names only, never values). @default "hush: warning: ..." on stderr */
  onWarning?: (message: string) => void;
  /** Notices such as "restarting"; @default onWarning-style line on stderr */
  onNotice?: (message: string) => void;
}

/** How the run ended. */
export interface RunResult {
  /** The child's exit code, or 128 + n when signal n ended it. */
  exitCode: number;
  /** The signal that ended the child, if one did. */
  signal?: NodeJS.Signals;
  /** Environment-variable names injected into the (last) child. */
  injected: string[];
  /** How many times `watch` restarted the child. */
  restarts: number;
}

/**
 * Runs `command args` with the resolved secrets in its environment and resolves with its exit
 * code once it has ended. Throws (before anything runs) NAME_COLLISION, INVALID_VALUE for a
 * value with a NUL byte, any resolve error under `strict`, and SPAWN_FAILED.
 */
export async function runWithSecrets(command: string, args: readonly string[] = [], options: RunWithSecretsOptions = {}): Promise<RunResult> {
  const manager = options.manager ?? createSecretsManager(options.managerOptions);
  let disposal: Promise<void> | undefined;
  // Runs while the child does, so a failure (e.g. the audit trail cannot be flushed) is a
  // warning: the child already has its secrets and its exit code must come through.
  const release = (): Promise<void> =>
    (disposal ??=
      (options.disposeManager ?? options.manager === undefined)
        ? manager.dispose().catch((e: unknown) => warn(`closing the sources failed (${e instanceof HushError ? `${e.code}: ${e.message}` : "unexpected error"}).`))
        : Promise.resolve());
  const warn: (m: string) => void = options.onWarning ?? ((m: string) => process.stderr.write(`hush: warning: ${m}\n`));
  const notice = options.onNotice ?? ((m: string) => process.stderr.write(`hush: ${m}\n`));
  const base = options.env ?? process.env;
  const cwd = options.cwd ?? manager.cwd;
  let stopWatching: (() => void) | undefined;
  try {
    const listed = await listNames(manager);
    const names = options.only ? matchNames(options.only, listed) : listed;
    const first = await manager.resolve(names);
    reportIssues(first, options.strict ?? false, warn);
    let secrets = first.secrets;
    let env = buildChildEnv(base, secrets, { cleanEnv: options.cleanEnv });

    // Loaded before spawning: the pipes must be read from the moment the child starts (Node
    // drains unread child pipes when the child exits, and the output would be lost).
    const mask = options.mask ? await import("./mask.js") : undefined;
    let current: StartedChild | undefined;
    let stopping = false;
    let pending: Record<string, SecretRecord> | undefined;
    let restarts = 0;
    let killTimer: NodeJS.Timeout | undefined;

    if (options.watch) {
      const { fingerprintSecrets, watchSecrets } = await import("./watch.js");
      stopWatching = watchSecrets(
        manager,
        (result) => {
          try {
            buildChildEnv(base, result.secrets, { cleanEnv: options.cleanEnv }); // refuse NUL and collisions now
          } catch (e) {
            warn(`--watch: the changed secrets cannot be passed on (${e instanceof HushError ? e.message : "unexpected error"}); the child keeps its current values.`);
            return;
          }
          reportIssues(result, false, warn);
          pending = result.secrets;
          if (!current || stopping) return;
          notice(`secrets changed; restarting the child (SIGTERM, SIGKILL after ${options.restartGraceMs ?? 5000} ms)`);
          const child = current.child;
          child.kill("SIGTERM");
          killTimer ??= setTimeout(() => child.kill("SIGKILL"), options.restartGraceMs ?? 5000);
        },
        { names: options.only ? names : undefined, initial: fingerprintSecrets(secrets), pollIntervalMs: options.pollIntervalMs, onWarning: warn },
      );
    }

    const unforward =
      options.forwardSignals === false
        ? () => undefined
        : forwardSignals(
            () => current?.child,
            () => {
              stopping = true;
            },
          );
    try {
      for (;;) {
        current = spawnChild(command, args, { env, cwd, stdio: options.mask ? ["inherit", "pipe", "pipe"] : "inherit", parentDeathSignal: options.parentDeathSignal });
        const masking = mask?.pipeMasked(current.child, secrets, { stdout: options.stdout ?? process.stdout, stderr: options.stderr ?? process.stderr });
        // The child is running: flush the audit trail and close the sources meanwhile.
        const released = options.watch ? undefined : release();
        const exit: ChildExit = await current.exited;
        if (killTimer) clearTimeout(killTimer);
        killTimer = undefined;
        await masking?.();
        await released;
        if (pending && !stopping) {
          secrets = pending;
          pending = undefined;
          env = buildChildEnv(base, secrets, { cleanEnv: options.cleanEnv });
          restarts++;
          continue;
        }
        return { exitCode: exitCodeOf(exit.code, exit.signal), signal: exit.signal ?? undefined, injected: Object.keys(secrets).map(envName).sort(), restarts };
      }
    } finally {
      current = undefined;
      unforward();
    }
  } finally {
    stopWatching?.();
    await release();
  }
}

// --- internal ---

/** Every name any source lists, without reading values (cheaper than `manager.list()`). */
async function listNames(manager: SecretsManager): Promise<string[]> {
  const lists = await Promise.all(manager.sources.map((s) => s.list()));
  return [...new Set(lists.flat().map((n) => canonicalName(n)))].sort();
}

/**
 * `--only` names as the chain holds them: `DB_PASSWORD` finds `db.password` when that is the
 * listed name with this variable name; a name nothing lists stays as given (and is reported
 * missing by resolve, or found by a source that does not list, such as `env`).
 */
function matchNames(only: string[], listed: string[]): string[] {
  const byVariable = new Map(listed.map((n) => [envName(n), n]));
  return [...new Set(only.map((n) => (listed.includes(canonicalName(n)) ? canonicalName(n) : (byVariable.get(envName(n)) ?? canonicalName(n)))))];
}

function reportIssues(result: ResolveResult, strict: boolean, warn: (m: string) => void): void {
  if (result.issues.length === 0) return;
  if (strict) {
    const first = result.issues[0]!;
    const all = result.issues.map((i) => `${i.name} (${i.code})`).join(", ");
    const code = ERROR_CODES.includes(first.code as HushErrorCode) ? (first.code as HushErrorCode) : "NOT_FOUND";
    throw new HushError(code, `--strict: ${result.issues.length} secret(s) could not be resolved: ${all}. First: ${first.message}`, { secret: first.name });
  }
  for (const issue of result.issues) warn(`${issue.name} not injected: ${issue.message}`);
}
