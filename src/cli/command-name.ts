/**
 * Finds the sub-command in argv without loading commander, so `cli/main` can pick the bundle to
 * load (`run` has its own, smaller one) before anything heavy is imported.
 */

/** Global options that take a value, so that value is not mistaken for the command. */
const GLOBAL_WITH_VALUE = new Set(["-e", "--env", "-C", "--cwd", "--secrets-dir"]);

/** The sub-command named in argv: the first word that is neither an option nor its value. */
export function commandName(argv: readonly string[]): string | undefined {
  const i = commandIndex(argv);
  return i === undefined ? undefined : argv[i];
}

/** Where the sub-command is in argv (see {@link commandName}). */
export function commandIndex(argv: readonly string[]): number | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") return undefined;
    if (GLOBAL_WITH_VALUE.has(a)) i++;
    else if (!a.startsWith("-")) return i;
  }
  return undefined;
}
