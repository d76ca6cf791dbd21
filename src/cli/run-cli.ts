/**
 * `runCli`: the whole CLI, every command in the lazy table of `commands.ts`.
 * It returns the exit code; only `cli/main` sets it on the process.
 */
import { COMMANDS } from "./commands.js";
import type { CliContext } from "./context.js";
import { runProgram } from "./program.js";

export { reportError } from "./program.js";

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export function runCli(argv: string[], ctx: CliContext): Promise<number> {
  return runProgram(argv, ctx, COMMANDS);
}
