/**
 * Builds the SecretsManager a command works on, from the global options (`--env`, `--cwd`,
 * `--secrets-dir`) and hush.yaml (found upward from the working directory: its sources, its
 * environment and the secrets folder), and the project options of the library's workflows.
 */
import type { Command } from "commander";
import { openConfiguredManager, type ConfiguredManager, type OpenConfiguredManagerOptions, type ProjectOptions, type SecretsManager } from "../index.js";
import type { CliContext, GlobalOptions } from "./context.js";
import { projectOptions, type Mapped } from "./flags.js";

/** The global options, read from the root program. */
export function globalOptions(command: Command): GlobalOptions {
  let root = command;
  while (root.parent) root = root.parent;
  return { ...root.opts(), ...command.opts() } as GlobalOptions;
}

/** The project options of a library workflow, from the global flags; warnings go to stderr once each. */
export function projectFrom(command: Command, ctx: CliContext): Mapped<ProjectOptions> {
  return projectOptions(globalOptions(command), ctx, warnOnce(ctx));
}

/** Opens the manager for a command. */
export async function openManager(command: Command, ctx: CliContext): Promise<SecretsManager> {
  return (await openManagerFromOptions(globalOptions(command), ctx)).manager;
}

/** Opens the manager from global options already parsed (the `hush run` fast path has no commander), plus a command's own options. */
export async function openManagerFromOptions(g: GlobalOptions, ctx: CliContext, extra: Partial<OpenConfiguredManagerOptions> = {}): Promise<ConfiguredManager> {
  return openConfiguredManager({ ...projectOptions(g, ctx, warnOnce(ctx)), ...extra });
}

// --- internal ---

/** A warning sink that prints each distinct warning once per command. */
function warnOnce(ctx: CliContext): (message: string) => void {
  const seen = new Set<string>();
  return (m) => {
    if (seen.has(m)) return;
    seen.add(m);
    ctx.stderr.write(`hush: warning: ${m}\n`);
  };
}
