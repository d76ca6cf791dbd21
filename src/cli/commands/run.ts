/**
 * `hush run [options] -- <cmd> [args...]`: the main job. Resolves the secrets through the chain
 * and runs the command with them in its environment only; the child's exit code (128 + n for
 * signal n) becomes hush's.
 */
import type { Command } from "commander";
import { CLEAN_ENV_VARIABLES, HushError, runWithSecrets, spawnFailureExitCode, type OpenConfiguredManagerOptions, type RunWithSecretsOptions } from "../../index.js";
import type { CliContext, GlobalOptions } from "../context.js";
import { globalOptions, openManagerFromOptions } from "../open-manager.js";
import { reportError } from "../report-error.js";
import type { Mapped } from "../flags.js";

/** The options of `hush run`, as commander or the fast path (src/cli/run-args.ts) parse them. */
export interface RunFlags {
  /** `-f/--env-file`, in the order given. */
  envFile?: string[];
  only?: string;
  cleanEnv?: boolean;
  mask?: boolean;
  watch?: boolean;
  strict?: boolean;
  graceMs?: string;
  reloadSignal?: string;
  /** `--gateway`: handles in place of the routes' keys (src/cli/commands/run-gateway.ts, loaded only then). */
  gateway?: boolean;
}

const HELP_AFTER = `
-f/--env-file FILE (repeatable) reads .env files before the whole chain, env included: the
first file given wins (as with dotenvx), and names they do not hold resolve through the chain
as usual (hush.yaml's, else env -> .env, .env.<environment> -> .secrets/). A file that does not
exist is an error. The values are injected in the child only; prefer the encrypted store.
Prefer -f: Node itself (seen on 20 and 24) checks a --env-file given after the script and, when
the file is missing, stops with "not found" (exit 9) before hush runs; with -f hush reports it.

Secrets reach the child only, as environment variables (openai_api_key -> OPENAI_API_KEY):
never hush's own environment, never the command line.

Signals: SIGINT, SIGTERM and SIGHUP are passed on; hush exits with the child's code, or
128 + n when signal n ended it. 127: command not found, 126: not executable. On Linux the
child gets SIGTERM if hush itself is killed (via util-linux setpriv --pdeathsig, when installed).

--gateway runs hush's gateway (docs/gateway.md) for the child's lifetime: for each route whose
key is found (OpenAI, Anthropic, ... and hush.yaml's gateway.routes) the child gets a handle in
the key's variable (OPENAI_API_KEY=hush_h_...) and the gateway's URL in the base-URL variable
(OPENAI_BASE_URL), and none of those keys. Other secrets are injected as usual.

--clean-env keeps only ${CLEAN_ENV_VARIABLES.join(", ")} and LC_*.

--mask is off by default: masking pipes the child's stdout/stderr through hush, so on a
terminal the child no longer sees a TTY (no colours, no prompts, no progress bars), output
that ends in the first characters of a value waits for the next bytes, and binary output (a
dump, an archive) is rewritten wherever a value's bytes occur. The child is given the secrets on
purpose; --mask is for output that is kept or shared: CI logs, agent transcripts, recordings.

--watch restarts the child (SIGTERM, then SIGKILL after --grace-ms) when a secret changes:
the local store notifies, other sources are polled every 2 s. If the child ends by itself,
hush ends with its code. --reload-signal HUP (with --watch) sends the child that signal instead
of restarting it, for programs that reload their configuration in place: the child's environment
cannot change while it runs, so such a program re-reads its secrets itself (the hush library,
\`hush get\`, \`onChange\`); hush only tells it when.

Examples:
  hush run -- node agent.js
  hush run -f .env.prod -- node agent.js
  hush run --only openai_api_key,database_url --clean-env -- npm start
  hush run --mask -- ./deploy.sh 2>&1 | tee deploy.log
`;

export function register(program: Command, ctx: CliContext): void {
  // Options after `run <cmd>` belong to the command, not to hush: `hush run node -e 0` works.
  program.enablePositionalOptions();
  program
    .command("run")
    .description("run a command with the secrets in its environment (only there)")
    .usage("[options] -- <command> [args...]")
    .argument("<command>", "the program to run")
    .argument("[args...]", "its arguments")
    .option("-f, --env-file <path>", "also read this .env file, before the chain (repeatable; the first given wins)", collect)
    .option("--only <names>", "inject only these secrets (comma-separated)")
    .option("--clean-env", "give the child only PATH, HOME, USER, LOGNAME, SHELL, TERM, LANG, LC_*, TZ, TMPDIR plus the secrets")
    .option("--mask", "replace each value in the child's stdout/stderr with [REDACTED:name] (off by default; see below)")
    .option("--no-mask", "do not mask (the default)")
    .option("--watch", "restart the child when a secret changes")
    .option("--grace-ms <ms>", "with --watch: wait this long after SIGTERM before SIGKILL", "5000")
    .option("--reload-signal <signal>", "with --watch: send this signal (HUP, USR1, USR2) instead of restarting the child")
    .option("--strict", "fail when any secret cannot be resolved (default: warn and go on)")
    .option("--gateway", "give the child gateway handles in place of the LLM and gateway keys (see below)")
    .option("-e, --env <name>", "environment (as before `run`)")
    .option("-C, --cwd <dir>", "project folder, also the child's working folder (as before `run`)")
    .option("--secrets-dir <dir>", "secrets folder (as before `run`)")
    .option("--debug", "stack traces on errors (never values)")
    .passThroughOptions()
    .addHelpText("after", HELP_AFTER)
    .action((command: string, args: string[], flags: RunFlags, cmd: Command) => runAction(command, args, flags, globalOptions(cmd), ctx));
}

/** Runs the child with the secrets; sets ctx.exitCode to the child's code. */
export async function runAction(command: string, args: string[], flags: RunFlags, globals: GlobalOptions, ctx: CliContext): Promise<void> {
  const only = parseOnly(flags.only);
  const restartGraceMs = parseGrace(flags.graceMs);
  const fromFlags: Mapped<Pick<OpenConfiguredManagerOptions, "envFiles">> = { envFiles: flags.envFile };
  const project = await openManagerFromOptions(globals, ctx, fromFlags);
  try {
    // Loaded only for --gateway, so plain `hush run` stays small (scripts/build.mjs keeps it out of dist/cli-run.js).
    const run = flags.gateway ? (await import("./run-gateway.js")).gatewayRunner(project) : (c: string, a: string[], o: RunWithSecretsOptions) => runWithSecrets(c, a, { ...o, manager: project.manager, disposeManager: true });
    const result = await run(command, args, {
      only,
      strict: flags.strict,
      cleanEnv: flags.cleanEnv,
      mask: flags.mask === true,
      watch: flags.watch,
      reloadSignal: parseReloadSignal(flags.reloadSignal, flags.watch),
      restartGraceMs,
      env: ctx.env,
      // Only --mask writes the child's output through hush; otherwise the streams are not
      // touched, which spares creating them (process.stdout is built on first access).
      ...(flags.mask === true ? { stdout: ctx.stdout, stderr: ctx.stderr } : {}),
      onWarning: (m) => ctx.stderr.write(`hush: warning: ${m}\n`),
      onNotice: (m) => ctx.stderr.write(`hush: ${m}\n`),
    });
    ctx.exitCode = result.exitCode;
  } catch (e) {
    if (!(e instanceof HushError) || e.code !== "SPAWN_FAILED") throw e;
    reportError(e, ctx, Boolean(globals.debug));
    ctx.exitCode = spawnFailureExitCode(e);
  }
}

/** Commander's reducer for a repeatable option: every value, in order. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function parseOnly(only: string | undefined): string[] | undefined {
  if (only === undefined) return undefined;
  const names = only.split(",").map((n) => n.trim()).filter((n) => n.length > 0);
  if (names.length === 0) throw new HushError("INVALID_ARGUMENT", "--only needs at least one secret name, e.g. --only openai_api_key,database_url.");
  return names;
}

function parseGrace(value: string | undefined): number {
  const ms = Number(value ?? "5000");
  if (!Number.isSafeInteger(ms) || ms < 0) throw new HushError("INVALID_ARGUMENT", `--grace-ms must be a whole number of milliseconds, not ${JSON.stringify(String(value).slice(0, 20))}.`);
  return ms;
}

/** `--reload-signal HUP|SIGHUP|USR1|USR2`, only with --watch. */
function parseReloadSignal(value: string | undefined, watch: boolean | undefined): NodeJS.Signals | undefined {
  if (value === undefined) return undefined;
  if (!watch) throw new HushError("INVALID_ARGUMENT", "--reload-signal works with --watch: add --watch.");
  const name = `SIG${value.toUpperCase().replace(/^SIG/, "")}`;
  if (!["SIGHUP", "SIGUSR1", "SIGUSR2"].includes(name)) throw new HushError("INVALID_ARGUMENT", "--reload-signal takes HUP, USR1 or USR2.");
  return name as NodeJS.Signals;
}
