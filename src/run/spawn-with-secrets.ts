/**
 * `runWithSecrets`: the library side of `hush run`. Resolves secrets through the chain, starts
 * the command with them in the child's environment only (never in this process's `process.env`,
 * never in argv), passes signals on, and returns the child's exit code (128 + n for signal n).
 *
 * @example
 * import { runWithSecrets } from "hush-secrets";
 * const { exitCode } = await runWithSecrets("node", ["agent.js"], { only: ["openai_api_key"] });
 */
import type { Writable } from "node:stream";
import { createSecretsManager, type SecretsManager, type SecretsManagerOptions } from "../manager.js";
import { ERROR_CODES, HushError, type HushErrorCode } from "../errors.js";
import { canonicalName, envName } from "../names.js";
import type { ResolveResult, SecretRecord } from "../types.js";
import { buildChildEnv, withoutUninjectable } from "./child-env.js";
import { exitCodeOf, forwardSignals } from "./signals.js";
import { spawnChild, type StartedChild } from "./spawn-child.js";

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
  /**
   * With `watch`: send the child this signal instead of restarting it (a program that reloads in
   * place re-reads its secrets itself; its environment keeps the values it started with). @default none: restart
   */
  reloadSignal?: NodeJS.Signals;
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
  /**
   * The last step before each spawn: takes the child's environment and returns the one to use
   * (`hush run --gateway` swaps the routes' keys for handles here). @default none
   */
  transformEnv?: (env: Record<string, string>) => Record<string, string>;
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
 * code once it has ended. A value with a NUL byte (which no environment variable can carry) fails
 * only its own name: a warning naming it, or under `strict` INVALID_VALUE. Throws (before anything
 * runs) NAME_COLLISION, any resolve error under `strict`, and SPAWN_FAILED.
 */
export async function runWithSecrets(command: string, args: readonly string[] = [], options: RunWithSecretsOptions = {}): Promise<RunResult> {
  const manager = options.manager ?? createSecretsManager(options.managerOptions);
  const say = messages(options);
  const release = releaser(manager, options, say.warn);
  let stopWatching: (() => void) | undefined;
  try {
    const { names, secrets } = await resolveForRun(manager, options, say.warn);
    const run: RunState = { secrets, env: childEnv(secrets, options), child: undefined, stopping: false, pending: undefined, restarts: 0, killTimer: undefined };
    // Loaded before spawning: the pipes must be read from the moment the child starts (Node
    // drains unread child pipes when the child exits, and the output would be lost).
    const mask = options.mask ? await import("./mask.js") : undefined;
    if (options.watch) stopWatching = await restartOnChange(manager, run, options.only ? names : undefined, options, say);
    return await superviseChild(command, args, run, { options, cwd: options.cwd ?? manager.cwd, mask, release });
  } finally {
    stopWatching?.();
    await release();
  }
}

// --- internal ---

/** What one run shares between the child's loop, the watcher and the signal handler. */
interface RunState {
  /** The secrets of the current (or next) child, and its environment. */
  secrets: Record<string, SecretRecord>;
  env: Record<string, string>;
  child: StartedChild | undefined;
  /** A forwarded signal asked the child to end: no restart. */
  stopping: boolean;
  /** Changed secrets: the child is restarted with them once it has ended. */
  pending: Record<string, SecretRecord> | undefined;
  restarts: number;
  /** SIGKILL after the grace period of a restart. */
  killTimer: NodeJS.Timeout | undefined;
}

interface Say {
  warn(message: string): void;
  notice(message: string): void;
}

function messages(options: RunWithSecretsOptions): Say {
  return {
    warn: options.onWarning ?? ((m: string) => process.stderr.write(`hush: warning: ${m}\n`)),
    notice: options.onNotice ?? ((m: string) => process.stderr.write(`hush: ${m}\n`)),
  };
}

/**
 * Disposes the manager once (which flushes its audit trail), when it is ours to dispose. It runs
 * while the child does, so a failure is a warning: the child already has its secrets and its
 * exit code must come through.
 */
function releaser(manager: SecretsManager, options: RunWithSecretsOptions, warn: (m: string) => void): () => Promise<void> {
  let disposal: Promise<void> | undefined;
  const owned = options.disposeManager ?? options.manager === undefined;
  return () =>
    (disposal ??= owned
      ? manager.dispose().catch((e: unknown) => warn(`closing the sources failed (${e instanceof HushError ? `${e.code}: ${e.message}` : "unexpected error"}).`))
      : Promise.resolve());
}

/** The names to inject (every listed name, or `only` as the chain spells them) and their records. */
async function resolveForRun(manager: SecretsManager, options: RunWithSecretsOptions, warn: (m: string) => void): Promise<{ names: string[]; secrets: Record<string, SecretRecord> }> {
  const listed = await manager.names();
  const names = options.only ? matchNames(options.only, listed) : listed;
  const result = withoutUninjectable(await manager.resolve(names));
  reportIssues(result, options.strict ?? false, warn);
  return { names, secrets: result.secrets };
}

function childEnv(secrets: Record<string, SecretRecord>, options: RunWithSecretsOptions): Record<string, string> {
  const env = buildChildEnv(options.env ?? process.env, secrets, { cleanEnv: options.cleanEnv });
  return options.transformEnv ? options.transformEnv(env) : env;
}

/** `--watch`: on a change, keeps the new secrets for the next child and ends the current one. */
async function restartOnChange(manager: SecretsManager, run: RunState, names: string[] | undefined, options: RunWithSecretsOptions, say: Say): Promise<() => void> {
  const { fingerprintSecrets, watchSecrets } = await import("./watch.js");
  const grace = options.restartGraceMs ?? 5000;
  const onChange = (changed: ResolveResult): void => {
    const result = withoutUninjectable(changed);
    try {
      childEnv(result.secrets, options); // refuse NUL and collisions now
    } catch (e) {
      say.warn(`--watch: the changed secrets cannot be passed on (${e instanceof HushError ? e.message : "unexpected error"}); the child keeps its current values.`);
      return;
    }
    reportIssues(result, false, say.warn);
    if (options.reloadSignal && run.child && !run.stopping) {
      say.notice(`secrets changed; sending ${options.reloadSignal} to the child`);
      run.child.child.kill(options.reloadSignal);
      return;
    }
    run.pending = result.secrets;
    if (!run.child || run.stopping) return;
    const child = run.child.child;
    // Ended already (between its exit and the next spawn): the loop starts the next one with the
    // pending secrets. A SIGKILL timer armed now would be left for the next child's restart.
    if (child.exitCode !== null || child.signalCode !== null) return;
    say.notice(`secrets changed; restarting the child (SIGTERM, SIGKILL after ${grace} ms)`);
    child.kill("SIGTERM");
    run.killTimer ??= setTimeout(() => child.kill("SIGKILL"), grace);
  };
  return watchSecrets(manager, onChange, { names, initial: fingerprintSecrets(run.secrets), pollIntervalMs: options.pollIntervalMs, onWarning: say.warn });
}

interface Supervision {
  options: RunWithSecretsOptions;
  cwd: string;
  mask: typeof import("./mask.js") | undefined;
  release: () => Promise<void>;
}

/** Starts the child, forwards signals, and starts it again with pending secrets until it ends for good. */
async function superviseChild(command: string, args: readonly string[], run: RunState, { options, cwd, mask, release }: Supervision): Promise<RunResult> {
  const unforward = options.forwardSignals === false ? () => undefined : forwardSignals(() => run.child?.child, () => void (run.stopping = true));
  try {
    for (;;) {
      run.child = spawnChild(command, args, { env: run.env, cwd, stdio: options.mask ? ["inherit", "pipe", "pipe"] : "inherit", parentDeathSignal: options.parentDeathSignal });
      const masking = mask?.pipeMasked(run.child.child, run.secrets, { stdout: options.stdout ?? process.stdout, stderr: options.stderr ?? process.stderr });
      // The child is running: flush the audit trail and close the sources meanwhile.
      const released = options.watch ? undefined : release();
      const exit = await run.child.exited;
      clearTimeout(run.killTimer);
      run.killTimer = undefined;
      await masking?.();
      await released;
      if (run.pending && !run.stopping) {
        run.secrets = run.pending;
        run.pending = undefined;
        run.env = childEnv(run.secrets, options);
        run.restarts++;
        continue;
      }
      return { exitCode: exitCodeOf(exit.code, exit.signal), signal: exit.signal ?? undefined, injected: Object.keys(run.secrets).map(envName).sort(), restarts: run.restarts };
    }
  } finally {
    run.child = undefined;
    unforward();
  }
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
