/**
 * Builds the SecretsManager a command works on, from the global options (`--env`, `--cwd`,
 * `--secrets-dir`) and hush.yaml (found upward from the working directory: its sources, its
 * environment and the secrets folder). Every command that touches secrets goes through here.
 */
import type { Command } from "commander";
import type { CliContext, GlobalOptions } from "./context.js";
import type { SecretsManager } from "../manager.js";
import { openConfiguredManager, type ConfiguredManager } from "../config/open.js";
import { loadConfig } from "../config/load.js";
import type { LoadedConfig } from "../config/types.js";

/** The global options, read from the root program. */
export function globalOptions(command: Command): GlobalOptions {
  let root = command;
  while (root.parent) root = root.parent;
  return { ...root.opts(), ...command.opts() } as GlobalOptions;
}

/** Opens the manager for a command. */
export async function openManager(command: Command, ctx: CliContext): Promise<SecretsManager> {
  return (await openManagerWithConfig(command, ctx)).manager;
}

/** Opens the manager and returns the config it was built from (for doctor, check, env-example). */
export async function openManagerWithConfig(command: Command, ctx: CliContext, loaded?: LoadedConfig): Promise<ConfiguredManager> {
  return openManagerFromOptions(globalOptions(command), ctx, loaded);
}

/** Opens the manager from global options already parsed (the `hush run` fast path has no commander). */
export async function openManagerFromOptions(g: GlobalOptions, ctx: CliContext, loaded?: LoadedConfig): Promise<ConfiguredManager> {
  return openConfiguredManager({
    cwd: g.cwd,
    environment: g.env,
    secretsDir: g.secretsDir,
    env: ctx.env,
    loaded,
    onWarning: warnOnce(ctx),
  });
}

/** A warning sink that prints each distinct warning once per command. */
function warnOnce(ctx: CliContext): (message: string) => void {
  const seen = new Set<string>();
  return (m) => {
    if (seen.has(m)) return;
    seen.add(m);
    ctx.stderr.write(`hush: warning: ${m}\n`);
  };
}

/** Loads hush.yaml as a command sees it (`--cwd`, `--env`, HUSH_ENV). */
export function loadCliConfig(command: Command, ctx: CliContext): Promise<LoadedConfig> {
  const g = globalOptions(command);
  return loadConfig({ cwd: g.cwd, environment: g.env, env: ctx.env });
}
