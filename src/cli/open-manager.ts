/**
 * Builds the SecretsManager a command works on, from the global options (`--env`, `--cwd`,
 * `--secrets-dir`) and hush.yaml. Every command that touches secrets goes through here.
 */
import type { Command } from "commander";
import type { CliContext, GlobalOptions } from "./context.js";
import { createSecretsManager, type SecretsManager } from "../manager.js";

/** The global options, read from the root program. */
export function globalOptions(command: Command): GlobalOptions {
  let root = command;
  while (root.parent) root = root.parent;
  return { ...root.opts(), ...command.opts() } as GlobalOptions;
}

/** Opens the manager for a command. */
export async function openManager(command: Command, ctx: CliContext): Promise<SecretsManager> {
  const g = globalOptions(command);
  return createSecretsManager({
    cwd: g.cwd,
    secretsDir: g.secretsDir,
    environment: g.env ?? ctx.env.HUSH_ENV,
    env: ctx.env,
    onWarning: (m) => ctx.stderr.write(`hush: warning: ${m}\n`),
  });
}
