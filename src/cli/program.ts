/**
 * `runProgram`: builds the commander program, loads just the command asked for from the table
 * it is given, runs it, and maps a HushError to the exit-code table. It returns the exit code;
 * only `cli/main` sets it on the process.
 */
import { Command } from "commander";
import { reportError } from "./report-error.js";
import type { CommandEntry } from "./commands.js";
import type { CliContext } from "./context.js";
import { commandIndex, commandName } from "./command-name.js";
import { VERSION } from "../index.js";

/** Runs `argv` (without node and script) against the command table; returns the exit code. */
export async function runProgram(argv: string[], ctx: CliContext, commands: readonly CommandEntry[]): Promise<number> {
  const program = new Command("hush")
    .description("hush: secrets for AI-agent applications — encrypted local store, one resolution chain, `hush run`.")
    .version(VERSION, "-V, --version")
    .option("-e, --env <name>", "environment (default: $HUSH_ENV or dev)")
    .option("-C, --cwd <dir>", "act as if started in <dir>")
    .option("--secrets-dir <dir>", "secrets folder (default: <project>/.secrets)")
    .option("--debug", "print stack traces on errors (never values)")
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) })
    .exitOverride();

  const wanted = commandToLoad(argv);
  ctx.command ??= commandName(argv);
  const entry = commands.find((c) => c.name === wanted);
  if (entry) {
    (await entry.load()).register(program, ctx);
  } else {
    for (const c of commands) program.command(c.name).description(c.summary);
  }

  try {
    await program.parseAsync(argv, { from: "user" });
    return ctx.exitCode;
  } catch (e) {
    return reportError(e, ctx, argv.includes("--debug"));
  }
}

export { reportError };

// --- internal ---

/** The command to register for real: the one named, or for `hush help <command>` the one asked about. */
function commandToLoad(argv: readonly string[]): string | undefined {
  const i = commandIndex(argv);
  if (i === undefined || argv[i] !== "help") return i === undefined ? undefined : argv[i];
  return commandName(argv.slice(i + 1));
}
