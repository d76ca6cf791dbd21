/**
 * `hush hook install | uninstall`: the git pre-commit hook that runs `hush scan --staged`
 * (the library's `installHook` / `uninstallHook`, which keep an existing hook working).
 */
import { existsSync, realpathSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Command } from "commander";
import { installHook, uninstallHook, type InstallHookOptions, type UninstallHookOptions } from "../../index.js";
import { err, type CliContext } from "../context.js";
import type { Mapped } from "../flags.js";
import { globalOptions } from "../open-manager.js";

const INSTALL_HELP = `
The hook looks for hush where a project-local install leaves it (node_modules/.bin/hush at the
top of the work tree: npm does not put it on PATH during git commit), then this hush by its
absolute path, then hush on PATH. --command replaces that search. If hush cannot run, the hook
blocks the commit (fail closed); \`git commit --no-verify\` is the deliberate way past it.
install runs the hook it wrote in a check mode, and changes nothing when hush cannot run.

Examples:
  npx hush hook install
  hush hook install --command "/opt/my tools/hush"
  hush hook install --command "node /opt/hush/dist/cli.js"
`;

export function register(program: Command, ctx: CliContext): void {
  const hook = program.command("hook").description("install or remove the git pre-commit hook that runs `hush scan --staged`");
  hook
    .command("install")
    .description("install the pre-commit hook (keeps an existing hook working)")
    .option("--command <cmd>", "exactly how the hook starts hush (words separated by spaces, or the path of a file)")
    .addHelpText("after", INSTALL_HELP)
    .action((opts: { command?: string }, cmd: Command) => {
      const options: Mapped<InstallHookOptions> = { cwd: globalOptions(cmd).cwd, command: opts.command, self: runningCli() };
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

/** This process as argv words when it is hush's built CLI (node + dist/cli.js), else undefined. */
function runningCli(): string[] | undefined {
  const script = process.argv[1];
  if (script === undefined) return undefined;
  try {
    const real = realpathSync(script);
    return basename(real) === "cli.js" && existsSync(join(dirname(real), "run-cli.js")) ? [process.execPath, real] : undefined;
  } catch (_e) {
    return undefined;
  }
}
