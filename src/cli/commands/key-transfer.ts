/**
 * `hush key export | import`: an environment's key moved in a passphrase-protected bundle
 * (docs/team.md). Added to the `hush key` group by ./key.ts.
 */
import type { Command } from "commander";
import { exportEnvironmentKey, HushError, importEnvironmentKey, type ExportEnvironmentKeyOptions, type ImportEnvironmentKeyOptions } from "../../index.js";
import { err, outJson, type CliContext } from "../context.js";
import type { Mapped } from "../flags.js";
import { globalOptions, projectFrom } from "../open-manager.js";

const EXPORT_HELP = `
The passphrase comes from $HUSH_PASSPHRASE, else it is asked twice on the terminal; never from
the command line. The bundle is written 0600 with --output (never over a file), or to stdout
when stdout is not a terminal. Move it to the other machine and run \`hush key import FILE\`.

Examples:
  hush key export --env prod --output prod.hushkey
  hush key import prod.hushkey --env prod
`;

/** Adds `export` and `import` to the `hush key` group. */
export function registerKeyTransfer(key: Command, ctx: CliContext): void {
  key
    .command("export")
    .description("write the environment's key as a passphrase-protected bundle")
    .option("-o, --output <file>", "write the bundle to this file (0600) instead of stdout")
    .option("--json", "print { environment, output, fingerprint } as JSON (with --output)")
    .addHelpText("after", EXPORT_HELP)
    .action(async (opts: { output?: string; json?: boolean }, cmd: Command) => {
      if (opts.output === undefined && ctx.stdout.isTTY) {
        throw new HushError("INVALID_ARGUMENT", "hush does not print a key bundle to a terminal (it would stay in the scrollback).", { hint: "Use --output FILE, or redirect stdout to a file." });
      }
      const options = { ...projectFrom(cmd, ctx), output: opts.output, tty: undefined, scryptParams: undefined } satisfies Mapped<ExportEnvironmentKeyOptions>;
      const r = await exportEnvironmentKey(options);
      if (r.bundle !== undefined) ctx.stdout.write(r.bundle);
      if (opts.json || globalOptions(cmd).json) {
        if (r.bundle === undefined) outJson(ctx, r);
        return;
      }
      err(ctx, `exported the key of ${r.environment}${r.output ? ` to ${r.output} (0600)` : ""}; fingerprint ${r.fingerprint}`);
    });
  key
    .command("import <file>")
    .description("store the key of a bundle through the environment's key provider")
    .option("--force", "replace a different key already stored (the old one is kept beside the store first)")
    .option("--json", "print what was done as JSON")
    .action(async (file: string, opts: { force?: boolean; json?: boolean }, cmd: Command) => {
      const options = { ...projectFrom(cmd, ctx), file, force: opts.force === true, tty: undefined } satisfies Mapped<ImportEnvironmentKeyOptions>;
      const r = await importEnvironmentKey(options);
      if (opts.json || globalOptions(cmd).json) return outJson(ctx, r);
      const where = `${r.provider}: ${r.where}`;
      if (r.outcome === "unchanged") err(ctx, `the key of ${r.environment} was already stored (${where}); nothing changed`);
      else if (r.outcome === "stored") err(ctx, `stored the key of ${r.environment} (${where}); fingerprint ${r.fingerprint}`);
      else err(ctx, `replaced the key of ${r.environment} (${where}): fingerprint ${r.replaced!.fingerprint} -> ${r.fingerprint}; the old key is kept in ${r.replaced!.keptIn} (same passphrase)`);
    });
}
