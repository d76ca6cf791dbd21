/**
 * The CLI with only `hush run`, built as its own single-file bundle (dist/cli-run.js) so the
 * main job loads one module instead of the shared chunks of every command: start-up is most of
 * what `hush run` adds to the child it starts.
 */
import type { CliContext } from "./context.js";
import type { CommandEntry } from "./commands.js";
import { runProgram } from "./program.js";
import * as runCommand from "./commands/run.js";

export { reportError } from "./program.js";

// Not taken from COMMANDS: importing that table would pull every command into this bundle.
const RUN_ONLY: CommandEntry[] = [{ name: "run", summary: "run a command with the secrets in its environment only", load: async () => runCommand }];

/** Runs `hush run ...` and returns the exit code. */
export function runCli(argv: string[], ctx: CliContext): Promise<number> {
  return runProgram(argv, ctx, RUN_ONLY);
}
