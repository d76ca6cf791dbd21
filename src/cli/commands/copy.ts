/**
 * `hush copy --from A --to B [--names a,b] [--dry-run] [--overwrite] [--json]` and
 * `hush diff A B [--json]`: secrets between two sources of the chain (by source name). Names
 * only on output, never values.
 */
import type { Command } from "commander";
import { copySecrets, diffSources, HushError, type CopySecretsOptions, type CopySecretsResult, type DiffSourcesOptions, type HushErrorCode } from "../../index.js";
import { err, out, outJson, type CliContext } from "../context.js";
import { EXIT_CODES, EXIT_FOUND } from "../exit-codes.js";
import type { Mapped } from "../flags.js";
import { globalOptions, projectFrom } from "../open-manager.js";

interface CopyFlags {
  from: string;
  to: string;
  names?: string;
  dryRun?: boolean;
  overwrite?: boolean;
  json?: boolean;
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command("copy")
    .description("copy secrets from one source of the chain to another writable one (names from hush.yaml's sources)")
    .requiredOption("--from <source>", "source to read from (e.g. local, dotenv, env, postgres)")
    .requiredOption("--to <source>", "writable source to write to")
    .option("--names <names>", "comma-separated names to copy (default: every name --from lists)")
    .option("--dry-run", "say what would be copied; write nothing")
    .option("--overwrite", "replace values that differ in --to (default: report them as conflicts and leave them)")
    .option("--json", "machine-readable output")
    .addHelpText(
      "after",
      [
        "",
        "Names --to already holds with the same value are left alone. The copy goes in batches (all or",
        "nothing per batch); if one fails, the batches before it stay copied, the rest are listed as not",
        "copied, and --from is never changed. Values are never printed. Every read and write is audited.",
      ].join("\n"),
    )
    .action(async (opts: CopyFlags, cmd: Command) => {
      const json = opts.json || globalOptions(cmd).json;
      const options: Mapped<Omit<CopySecretsOptions, "from" | "to">> = {
        ...projectFrom(cmd, ctx),
        names: opts.names === undefined ? undefined : splitNames(opts.names),
        dryRun: opts.dryRun,
        overwrite: opts.overwrite,
        batchSize: undefined,
        onProgress: ctx.stderr.isTTY && !json ? (p) => ctx.stderr.write(`\rhush: copied ${p.done}/${p.total}${p.done === p.total ? "\n" : ""}`) : undefined,
      };
      const result = await copySecrets({ ...options, from: opts.from, to: opts.to });
      if (json) outJson(ctx, result);
      else reportCopy(ctx, result);
      if (result.failure) ctx.exitCode = EXIT_CODES[result.failure.code as HushErrorCode] ?? EXIT_FOUND;
    });

  program
    .command("diff")
    .description("compare two sources: names in one only, names whose values differ (keyed hashes; never values)")
    .argument("<a>", "a source of the chain")
    .argument("<b>", "another source of the chain")
    .option("--json", "print { a, b, onlyInA, onlyInB, differ, same } as JSON")
    .addHelpText("after", "\nValues are compared as HMAC-SHA256 under a random key made for the run, never printed. Exit 1 when the sources differ.")
    .action(async (a: string, b: string, opts: { json?: boolean }, cmd: Command) => {
      const options: Mapped<Omit<DiffSourcesOptions, "a" | "b">> = projectFrom(cmd, ctx);
      const d = await diffSources({ ...options, a, b });
      const differs = d.onlyInA.length + d.onlyInB.length + d.differ.length > 0;
      if (differs) ctx.exitCode = EXIT_FOUND;
      if (opts.json || globalOptions(cmd).json) return outJson(ctx, d);
      if (!differs) return out(ctx, `${d.a} and ${d.b} hold the same ${d.same} name${d.same === 1 ? "" : "s"} with the same values`);
      for (const n of d.onlyInA) out(ctx, `only in ${d.a}: ${n}`);
      for (const n of d.onlyInB) out(ctx, `only in ${d.b}: ${n}`);
      for (const n of d.differ) out(ctx, `differs: ${n}`);
      out(ctx, `${d.onlyInA.length} only in ${d.a}, ${d.onlyInB.length} only in ${d.b}, ${d.differ.length} differ, ${d.same} the same`);
    });
}

function splitNames(list: string): string[] {
  const names = list.split(",").map((n) => n.trim()).filter((n) => n.length > 0);
  if (names.length === 0) throw new HushError("INVALID_ARGUMENT", "--names needs at least one name.");
  return names;
}

function reportCopy(ctx: CliContext, r: CopySecretsResult): void {
  const verb = r.dryRun ? "would copy" : "copied";
  out(ctx, `${verb} ${r.copied.length} secret${r.copied.length === 1 ? "" : "s"} from ${r.from} to ${r.to}${r.copied.length ? `: ${r.copied.join(", ")}` : ""}`);
  if (r.unchanged.length) out(ctx, `already the same in ${r.to}: ${r.unchanged.join(", ")}`);
  if (r.conflicts.length) out(ctx, `differ in ${r.to}, left alone (--overwrite replaces them): ${r.conflicts.join(", ")}`);
  if (r.missing.length) out(ctx, `not in ${r.from}: ${r.missing.join(", ")}`);
  if (r.failure) {
    err(ctx, `hush: the copy stopped: ${r.failure.code}: ${r.failure.message}`);
    err(ctx, `hush: not copied (${r.notCopied.length}): ${r.notCopied.join(", ")}; ${r.from} is unchanged, re-run the copy once the cause is fixed`);
  }
}
