/**
 * What a command needs from the outside world, passed in so commands stay testable:
 * output streams, the global options and a place to put the exit code.
 */
import type { Writable, Readable } from "node:stream";

/** Global options every command accepts. */
export interface GlobalOptions {
  /** `--env <name>` or `HUSH_ENV`. */
  env?: string;
  /** `--json`: machine-readable output on stdout. */
  json?: boolean;
  /** `--debug`: stack traces on errors (never values). */
  debug?: boolean;
  /** `--cwd <dir>`: act as if started there. */
  cwd?: string;
  /** `--secrets-dir <dir>`. */
  secretsDir?: string;
}

export interface CliContext {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  stdin: Readable & { isTTY?: boolean };
  /** The process environment (read-only use). */
  env: NodeJS.ProcessEnv;
  /** Set by a command that ends with a code other than 0 without throwing. */
  exitCode: number;
  /** True when colour may be used on stderr (TTY and no NO_COLOR). */
  color: boolean;
  /** The sub-command being run (`set`, `run`), set by the program: audit records name `hush <command>` as the actor's command. */
  command?: string;
}

/** Writes one line to stdout. */
export function out(ctx: CliContext, text: string): void {
  ctx.stdout.write(text.endsWith("\n") ? text : text + "\n");
}

/** Writes one line to stderr (everything human that is not the requested data). */
export function err(ctx: CliContext, text: string): void {
  ctx.stderr.write(text.endsWith("\n") ? text : text + "\n");
}

/** Prints `data` as JSON on stdout. */
export function outJson(ctx: CliContext, data: unknown): void {
  ctx.stdout.write(JSON.stringify(data, null, 2) + "\n");
}
