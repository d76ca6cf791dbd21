/**
 * `hush import <path>` (a .env file, dotenvx-encrypted or not, a JSON object, or a Python
 * `.secrets/` folder) and `hush export --format dotenv|json|shell|yaml [--output FILE]` (prints
 * values; warns when stdout is a terminal; `--output` writes a 0600 file atomically).
 */
import { resolve } from "node:path";
import type { Command } from "commander";
import { EXPORT_FORMATS, MANIFEST_FORMATS, HushError, envName, exportSecrets, importSecrets, type ExportFormat, type ExportSecretsOptions, type ImportFormat, type ImportOptions, type ImportResult } from "../../index.js";
import { err, outJson, type CliContext } from "../context.js";
import type { Mapped } from "../flags.js";
import { globalOptions, openManager } from "../open-manager.js";
import { addManifestOptions, exportManifestCommand, isManifestFormat, type ManifestFlags } from "../export-manifest.js";

interface ImportFlags {
  format?: string;
  overwrite?: boolean;
  dryRun?: boolean;
  source?: string;
  removeSource?: boolean;
  json?: boolean;
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command("import")
    .description("import secrets from a .env file (dotenvx-encrypted too), a JSON object or a Python (Mallku) .secrets/ folder")
    .argument("<path>", "file or folder to import")
    .option("--format <format>", "dotenv | json | mallku (default: guessed from the path)")
    .option("--overwrite", "replace names the target source already holds (default: skip them)")
    .option("--dry-run", "show what would be imported; write nothing")
    .option("--source <name>", "target source (default: the first writable, `local`)")
    .option("--remove-source", "remove the imported file once every value in it is stored and read back equal")
    .option("--json", "machine-readable output")
    .addHelpText(
      "after",
      [
        "",
        "Names already in the target source are skipped (--overwrite replaces them). A dotenvx-encrypted",
        ".env is decrypted with DOTENV_PRIVATE_KEY* from the environment or the .env.keys beside it",
        "(needs `npm install --save-dev @dotenvx/dotenvx`); its ciphertext is never stored.",
        "A .env that the chain still reads shadows the imported values: remove it (--remove-source).",
      ].join("\n"),
    )
    .action(async (path: string, opts: ImportFlags, cmd: Command) => {
      if (opts.format !== undefined && !["dotenv", "json", "mallku"].includes(opts.format)) throw new HushError("INVALID_ARGUMENT", `--format must be dotenv, json or mallku.`);
      const m = await openManager(cmd, ctx);
      try {
        const options: Mapped<ImportOptions> = {
          format: opts.format as ImportFormat | undefined,
          overwrite: opts.overwrite,
          dryRun: opts.dryRun,
          source: opts.source,
          removeSource: opts.removeSource,
          env: ctx.env,
          onProgress: undefined, // one batch write: nothing to show between start and end
          onWarning: (w) => err(ctx, `hush: warning: ${w}`),
        };
        const result = await importSecrets(m, path, options);
        if (opts.json || globalOptions(cmd).json) return outJson(ctx, { ...result, dryRun: Boolean(opts.dryRun) });
        reportImport(ctx, path, result, opts);
      } finally {
        await m.dispose();
      }
    });

  const exportCommand = program
    .command("export")
    .description("print secrets as dotenv, JSON, shell or YAML (warns on a terminal), or as Kubernetes manifests (Secret, ExternalSecret, SealedSecret), or write them to a 0600 file")
    .option("--format <format>", `one of ${[...EXPORT_FORMATS, ...MANIFEST_FORMATS].join(", ")}`, "dotenv")
    .option("--only <names>", "comma-separated names to export (default: every name the chain lists)")
    .option("--strict", "fail when any name cannot be resolved")
    .option("--output <file>", "write to FILE instead of stdout: created 0600, replaced atomically")
    .addHelpText("after", EXPORT_HELP);
  addManifestOptions(exportCommand)
    .action(async (opts: ManifestFlags, cmd: Command) => {
      if (isManifestFormat(opts.format)) return exportManifestCommand(opts, cmd, ctx);
      if (!EXPORT_FORMATS.includes(opts.format as ExportFormat)) throw new HushError("INVALID_ARGUMENT", `--format must be one of ${[...EXPORT_FORMATS, ...MANIFEST_FORMATS].join(", ")}.`);
      const m = await openManager(cmd, ctx);
      try {
        const options: Mapped<ExportSecretsOptions> = {
          format: opts.format as ExportFormat,
          only: opts.only?.split(",").map((s) => s.trim()).filter(Boolean),
          strict: opts.strict,
          output: opts.output,
          onIssue: (i) => err(ctx, `hush: ${opts.strict ? "error" : "warning"}: ${i.message}`),
        };
        const { text, names, path } = await exportSecrets(m, options);
        if (path !== undefined) return err(ctx, `wrote ${names.length} secret(s) to ${path} (mode 0600)`);
        if (ctx.stdout.isTTY) err(ctx, "hush: warning: printing secret values to a terminal; they may stay in its scrollback.");
        ctx.stdout.write(text);
      } finally {
        await m.dispose();
      }
    });
}

// --- internal ---

/** `hush export --help`, after the options. */
const EXPORT_HELP = [
  "",
  "Every format reads back exactly (dotenv through the dotenv parser, shell through sh, yaml through a",
  "YAML 1.2 parser). A value a format cannot carry (a NUL byte in shell, a rare mix of quotes and line",
  "breaks in dotenv) is refused by name and nothing is exported; --format json carries any value.",
  "",
  "Kubernetes (docs/kubernetes.md):",
  "  k8s-secret       a v1 Secret (Opaque), values base64 in data: hush export --format k8s-secret --name agent | kubectl apply -f -",
  "  external-secret  an ESO ExternalSecret from hush.yaml's remote mapping; no values (safe to commit); --with-store adds its SecretStore",
  "  sealed-secret    a SealedSecret sealed for --cert (kubeseal's encryption), bound by --scope; safe to commit",
].join("\n");

/** The human report on stderr: what was imported and skipped, then what still shadows it and the next step. */
function reportImport(ctx: CliContext, path: string, result: ImportResult, opts: ImportFlags): void {
  const verb = opts.dryRun ? "would import" : "imported";
  const how = result.encryption === "dotenvx" ? `${result.format}, decrypted with dotenvx` : result.format;
  err(ctx, `${verb} ${result.imported.length} secret(s) from ${path} (${how}) into ${result.target}${result.imported.length ? ": " + result.imported.join(", ") : ""}`);
  for (const s of result.skipped) err(ctx, `skipped ${s.name}: ${s.reason}`);
  if (result.sourceRemoved) err(ctx, `removed ${path}: every value in it is stored in ${result.target} and was read back equal`);
  else if (opts.removeSource && opts.dryRun) err(ctx, `would remove ${path} once every value in it is stored and read back`);
  if (result.shadowed.length === 0) return;
  const bySource = new Map<string, string[]>();
  for (const s of result.shadowed) bySource.set(s.source, [...(bySource.get(s.source) ?? []), s.name]);
  for (const [source, names] of bySource) {
    err(ctx, `hush: warning: ${names.length} name(s) are still provided by the ${source} source, which comes before ${result.target} and wins: ${names.join(", ")}`);
  }
  // dotenv locations are "<file>:<KEY>": the files that shadow the import.
  const files = [...new Set(result.shadowed.filter((s) => s.source === "dotenv" && s.location).map((s) => s.location!.replace(/:[^:/]*$/, "")))];
  if (files.length > 0) {
    const again = files.includes(resolve(path)) ? ` (or re-run with --remove-source)` : "";
    err(ctx, `next: check with \`hush list\` (each name shows the sources it shadows), then remove ${files.join(" and ")}${again} so the stored values are used.`);
  }
  if (bySource.has("env")) err(ctx, `next: unset those variables (${bySource.get("env")!.map(envName).join(", ")}) where you run hush, so the stored values are used.`);
}
