/**
 * `hush providers [--json]`: each LLM provider, whether its key is found, under which name
 * and from which source, a masked preview and whether the format is valid. Never values.
 */
import type { Command } from "commander";
import { providerChecks, type ProviderCheck } from "../../index.js";
import { err, out, outJson, type CliContext } from "../context.js";
import { globalOptions, openManager } from "../open-manager.js";
import { table } from "../format.js";

/** Adds `hush providers` to the program. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command("providers")
    .description("list LLM providers: key found?, name, source, masked preview, format valid? (never values)")
    .option("--json", "machine-readable output")
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const m = await openManager(cmd, ctx);
      try {
        const rows = await providerChecks(m);
        if (opts.json || globalOptions(cmd).json) return outJson(ctx, rows);
        out(ctx, table(["PROVIDER", "KEY", "NAME", "SOURCE", "PREVIEW", "FORMAT"], rows.map(cells)));
        for (const r of rows) {
          for (const w of r.warnings) err(ctx, `hush: warning: ${w}`);
          if (r.format === "mismatch") err(ctx, `hush: warning: ${r.displayName}: the key under "${r.name}" does not look like ${r.displayName}'s format: ${r.formatReason}.`);
          if (r.error) err(ctx, `hush: ${r.displayName}: ${r.error.code}: ${r.error.message}`);
        }
      } finally {
        await m.dispose();
      }
    });
}

// --- internal ---

function cells(r: ProviderCheck): string[] {
  const key = r.error ? "error" : r.found ? "found" : r.keyRequired ? "missing" : "not needed";
  const format = r.format === "missing" ? "-" : r.format === "unchecked" ? "no known format" : r.format;
  return [r.provider, key, r.name ?? "-", r.source ?? "-", r.preview ?? "-", format];
}
