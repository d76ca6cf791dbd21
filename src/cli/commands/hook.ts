/**
 * `hush hook install | uninstall`: the git pre-commit hook that runs `hush scan --staged`
 * (the library's `installHook` / `uninstallHook`, which keep an existing hook working).
 */
import type { Command } from "commander";
import { installHook, uninstallHook, type InstallHookOptions, type UninstallHookOptions } from "../../index.js";
import { err, type CliContext } from "../context.js";
import type { Mapped } from "../flags.js";
import { globalOptions } from "../open-manager.js";

export function register(program: Command, ctx: CliContext): void {
  const hook = program.command("hook").description("install or remove the git pre-commit hook that runs `hush scan --staged`");
  hook
    .command("install")
    .description("install the pre-commit hook (keeps an existing hook working)")
    .option("--command <cmd>", "how the hook starts hush", "hush")
    .action((opts: { command: string }, cmd: Command) => {
      const options: Mapped<InstallHookOptions> = { cwd: globalOptions(cmd).cwd, command: opts.command };
      err(ctx, installHook(options).message);
    });
  hook
    .command("uninstall")
    .description("remove hush's block from the pre-commit hook")
    .action((_opts: unknown, cmd: Command) => {
      const options: Mapped<UninstallHookOptions> = { cwd: globalOptions(cmd).cwd };
      err(ctx, uninstallHook(options).message);
    });
}
