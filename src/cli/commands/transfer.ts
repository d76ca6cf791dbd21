/**
 * `hush import <path>` (a .env file, a JSON object, or a Python `.secrets/` folder) and
 * `hush export --format dotenv|json|shell` (prints values; warns when stdout is a terminal).
 */
import type { Command } from "commander";
import { EXPORT_FORMATS, HushError, exportSecrets, importSecrets, type ExportFormat, type ExportSecretsOptions, type ImportFormat, type ImportOptions } from "../../index.js";
import { err, outJson, type CliContext } from "../context.js";
import type { Mapped } from "../flags.js";
import { globalOptions, openManager } from "../open-manager.js";

export function register(program: Command, ctx: CliContext): void {
  program
    .command("import")
    .description("import secrets from a .env file, a JSON object or a Python (Mallku) .secrets/ folder")
    .argument("<path>", "file or folder to import")
    .option("--format <format>", "dotenv | json | mallku (default: guessed from the path)")
    .option("--overwrite", "replace names that already exist (default: skip them)")
    .option("--dry-run", "show what would be imported; write nothing")
    .option("--source <name>", "target source (default: the first writable, `local`)")
    .option("--json", "machine-readable output")
    .action(async (path: string, opts: { format?: string; overwrite?: boolean; dryRun?: boolean; source?: string; json?: boolean }, cmd: Command) => {
      if (opts.format !== undefined && !["dotenv", "json", "mallku"].includes(opts.format)) throw new HushError("INVALID_ARGUMENT", `--format must be dotenv, json or mallku.`);
      const m = await openManager(cmd, ctx);
      const progress = ctx.stderr.isTTY ? (done: number, total: number) => total > 20 && ctx.stderr.write(`\rimporting ${done}/${total}`) : undefined;
      try {
        const options: Mapped<ImportOptions> = { format: opts.format as ImportFormat | undefined, overwrite: opts.overwrite, dryRun: opts.dryRun, source: opts.source, onProgress: progress, onWarning: (w) => err(ctx, `hush: warning: ${w}`) };
        const result = await importSecrets(m, path, options);
        if (progress) ctx.stderr.write("\r\x1b[K");
        if (opts.json || globalOptions(cmd).json) return outJson(ctx, { ...result, dryRun: Boolean(opts.dryRun) });
        const verb = opts.dryRun ? "would import" : "imported";
        err(ctx, `${verb} ${result.imported.length} secret(s) from ${path} (${result.format})${result.imported.length ? ": " + result.imported.join(", ") : ""}`);
        for (const s of result.skipped) err(ctx, `skipped ${s.name}: ${s.reason}`);
      } finally {
        await m.dispose();
      }
    });

  program
    .command("export")
    .description("print secrets with their values as dotenv, JSON or shell (warns on a terminal)")
    .option("--format <format>", `one of ${EXPORT_FORMATS.join(", ")}`, "dotenv")
    .option("--only <names>", "comma-separated names to export (default: every name the chain lists)")
    .option("--strict", "fail when any name cannot be resolved")
    .action(async (opts: { format: string; only?: string; strict?: boolean }, cmd: Command) => {
      if (!EXPORT_FORMATS.includes(opts.format as ExportFormat)) throw new HushError("INVALID_ARGUMENT", `--format must be one of ${EXPORT_FORMATS.join(", ")}.`);
      const m = await openManager(cmd, ctx);
      try {
        const options: Mapped<ExportSecretsOptions> = {
          format: opts.format as ExportFormat,
          only: opts.only?.split(",").map((s) => s.trim()).filter(Boolean),
          strict: opts.strict,
          onIssue: (i) => err(ctx, `hush: ${opts.strict ? "error" : "warning"}: ${i.message}`),
        };
        const { text } = await exportSecrets(m, options);
        if (ctx.stdout.isTTY) err(ctx, "hush: warning: printing secret values to a terminal; they may stay in its scrollback.");
        ctx.stdout.write(text);
      } finally {
        await m.dispose();
      }
    });
}
