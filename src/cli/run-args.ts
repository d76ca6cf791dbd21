/**
 * The fast path of `hush run`: parses the common forms of its argv without commander, whose
 * loading is a tenth of what `hush run` adds to a child's start. Anything it does not know
 * (`--help`, `--opt=value`, an unknown or misplaced option, a missing value) returns undefined,
 * and commander parses the whole line instead, with its help and its error messages: there is
 * one definition of the options (src/cli/commands/run.ts), this is only a shortcut for it.
 */
import type { GlobalOptions } from "./context.js";
import type { RunFlags } from "./commands/run.js";

export interface ParsedRun {
  globals: GlobalOptions;
  flags: RunFlags;
  command: string;
  args: string[];
}

const WITH_VALUE: Record<string, keyof GlobalOptions | keyof RunFlags> = {
  "-e": "env", "--env": "env", "-C": "cwd", "--cwd": "cwd", "--secrets-dir": "secretsDir", "--only": "only", "--grace-ms": "graceMs", "--reload-signal": "reloadSignal",
};
/** Options that may be repeated, each value kept in order (commander's `collect`). */
const REPEATABLE: Record<string, "envFile"> = { "-f": "envFile", "--env-file": "envFile" };
const GLOBAL_KEYS = new Set(["env", "cwd", "secretsDir", "debug"]);
const RUN_SWITCHES: Record<string, [keyof RunFlags | "debug", boolean]> = {
  "--clean-env": ["cleanEnv", true], "--mask": ["mask", true], "--no-mask": ["mask", false], "--watch": ["watch", true], "--strict": ["strict", true], "--debug": ["debug", true],
};

/** `[globals] run [run options] [--] <command> [args...]`, or undefined to let commander parse. */
export function parseRunArgs(argv: readonly string[]): ParsedRun | undefined {
  const globals: GlobalOptions = {};
  const flags: RunFlags = {};
  let i = 0;
  // Before `run`: the global options only.
  for (; i < argv.length && argv[i] !== "run"; i++) {
    const a = argv[i]!;
    const key = WITH_VALUE[a];
    if (a === "--debug") globals.debug = true;
    else if (key && GLOBAL_KEYS.has(key) && i + 1 < argv.length) (globals as Record<string, unknown>)[key] = argv[++i];
    else return undefined;
  }
  if (argv[i] !== "run") return undefined;
  // After `run`: its options, then the command; what follows the command is the command's.
  for (i++; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") {
      i++;
      break;
    }
    if (!a.startsWith("-")) break;
    const key = WITH_VALUE[a];
    const sw = RUN_SWITCHES[a];
    const list = REPEATABLE[a];
    if (list && i + 1 < argv.length) (flags[list] ??= []).push(argv[++i]!);
    else if (sw) (sw[0] === "debug" ? globals : flags as Record<string, unknown>)[sw[0] as never] = sw[1] as never;
    else if (key && i + 1 < argv.length) ((GLOBAL_KEYS.has(key) ? globals : flags) as Record<string, unknown>)[key] = argv[++i];
    else return undefined;
  }
  const command = argv[i];
  if (command === undefined || command === "") return undefined;
  return { globals, flags, command, args: argv.slice(i + 1) };
}
