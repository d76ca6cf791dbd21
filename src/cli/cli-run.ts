/**
 * The CLI with only `hush run`, built as its own single-file bundle (dist/cli-run.js) so the
 * main job loads one module instead of the shared chunks of every command: start-up is most of
 * what `hush run` adds to the child it starts. The common forms of its argv are parsed without
 * commander (src/cli/run-args.ts); everything else, `--help` included, goes to the full CLI.
 */
import type { CliContext } from "./context.js";
import { parseRunArgs } from "./run-args.js";
import { runAction } from "./commands/run.js";
import { reportError } from "./report-error.js";

export { reportError };

/** Runs `hush run ...` and returns the exit code. */
export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  const parsed = parseRunArgs(argv);
  if (parsed === undefined) {
    // The full CLI (dist/run-cli.js, commander and all): it parses, helps or explains the error.
    const { runCli: runFullCli } = await import("./run-cli.js");
    return runFullCli(argv, ctx);
  }
  ctx.command ??= "run";
  try {
    await runAction(parsed.command, parsed.args, parsed.flags, parsed.globals, ctx);
    return ctx.exitCode;
  } catch (e) {
    return reportError(e, ctx, Boolean(parsed.globals.debug));
  }
}
