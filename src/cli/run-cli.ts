/**
 * `runCli`: the whole CLI, every command in the lazy table of `commands.ts`.
 * It returns the exit code; only `cli/main` sets it on the process.
 */
import { COMMANDS } from "./commands.js";
import type { CliContext } from "./context.js";
import type { gatewayRunner as GatewayRunner } from "./commands/run-gateway.js";
import { runProgram } from "./program.js";

export { reportError } from "./program.js";

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export function runCli(argv: string[], ctx: CliContext): Promise<number> {
  return runProgram(argv, ctx, COMMANDS);
}

/**
 * `hush run --gateway` as dist/cli-run.js reaches it: that bundle maps its import of
 * `./run-gateway.js` to this file (scripts/build.mjs), so the gateway stays out of it.
 */
export const gatewayRunner: typeof GatewayRunner = (project) => async (command, args, options) =>
  (await import("./commands/run-gateway.js")).gatewayRunner(project)(command, args, options);
