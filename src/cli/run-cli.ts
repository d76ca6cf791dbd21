/**
 * `runCli`: loads just the command asked for, runs it, and maps a HushError to the exit-code
 * table. It returns the exit code; only `cli/main` sets it on the process.
 */
import { Command, CommanderError } from "commander";
import { COMMANDS } from "./commands.js";
import type { CliContext } from "./context.js";
import { EXIT_CODES, EXIT_USAGE } from "./exit-codes.js";
import { HushError } from "../errors.js";

const VERSION = "0.1.0";

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
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

  const wanted = commandName(argv);
  const entry = COMMANDS.find((c) => c.name === wanted);
  if (entry) {
    (await entry.load()).register(program, ctx);
  } else {
    for (const c of COMMANDS) program.command(c.name).description(c.summary);
  }

  try {
    await program.parseAsync(argv, { from: "user" });
    return ctx.exitCode;
  } catch (e) {
    return reportError(e, ctx, argv.includes("--debug"));
  }
}

/** Global options that take a value, so that value is not mistaken for the command. */
const GLOBAL_WITH_VALUE = new Set(["-e", "--env", "-C", "--cwd", "--secrets-dir"]);

/** The sub-command named in argv: the first word that is neither an option nor its value. */
function commandName(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") return undefined;
    if (GLOBAL_WITH_VALUE.has(a)) i++;
    else if (!a.startsWith("-")) return a;
  }
  return undefined;
}

export function reportError(e: unknown, ctx: CliContext, debug: boolean): number {
  if (e instanceof CommanderError) {
    // Help and version "errors" are normal exits; commander already printed the message.
    return e.exitCode === 0 ? 0 : EXIT_USAGE;
  }
  if (e instanceof HushError) {
    ctx.stderr.write(`hush: ${e.message}\n  hint: ${e.hint}\n`);
    if (debug && e.stack) ctx.stderr.write(e.stack + "\n");
    return EXIT_CODES[e.code] ?? 1;
  }
  // Not ours: print the type and code only; a foreign message may quote data.
  const name = e instanceof Error ? e.name : typeof e;
  const code = (e as { code?: unknown })?.code;
  ctx.stderr.write(`hush: unexpected ${name}${typeof code === "string" ? ` (${code})` : ""}; run with --debug for the stack.\n`);
  if (debug && e instanceof Error && e.stack) ctx.stderr.write(e.stack.split("\n").slice(1).join("\n") + "\n");
  return EXIT_CODES.INTERNAL;
}
