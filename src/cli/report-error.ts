/**
 * Maps an error to its exit code and prints it: a HushError as its message and hint, a foreign
 * error as its type and code only (its message may quote data). Kept apart from commander so the
 * `hush run` fast path can use it without loading commander.
 */
import type { CliContext } from "./context.js";
import { EXIT_CODES, EXIT_USAGE } from "./exit-codes.js";
import { HushError } from "../index.js";

export function reportError(e: unknown, ctx: CliContext, debug: boolean): number {
  if (isCommanderError(e)) {
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

// --- internal ---

/** Commander's errors carry a `commander.*` code and an exit code; it has printed them already. */
function isCommanderError(e: unknown): e is { exitCode: number } {
  const x = e as { code?: unknown; exitCode?: unknown } | undefined;
  return typeof x?.code === "string" && x.code.startsWith("commander.") && typeof x.exitCode === "number";
}
