/**
 * `hush doctor [--json]`: config layers, each source's live check, permission problems with
 * their fix, name collisions and missing required secrets. Exits 1 when it finds a problem.
 */
import type { Command } from "commander";
import { diagnoseProject, type DiagnoseProjectOptions, type DoctorProblem, type DoctorReport } from "../../index.js";
import { out, outJson, type CliContext } from "../context.js";
import { EXIT_FOUND } from "../exit-codes.js";
import type { Mapped } from "../flags.js";
import { globalOptions, projectFrom } from "../open-manager.js";

export function register(program: Command, ctx: CliContext): void {
  program
    .command("doctor")
    .description("check hush.yaml, every source, permissions and required secrets; each problem with its fix")
    .option("--json", "print the report as JSON")
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const options: Mapped<DiagnoseProjectOptions> = projectFrom(cmd, ctx);
      const report = await diagnoseProject(options);
      if (!report.ok) ctx.exitCode = EXIT_FOUND;
      if (opts.json || globalOptions(cmd).json) outJson(ctx, report);
      else printReport(ctx, report);
    });
}

// --- internal ---

function printReport(ctx: CliContext, r: DoctorReport): void {
  const c = r.config;
  out(ctx, `config       ${c.path ?? "no hush.yaml (defaults)"}`);
  if (c.root) out(ctx, `project      ${c.root}`);
  if (c.environment) out(ctx, `environment  ${c.environment} (from ${describeOrigin(c.environmentOrigin)})`);
  if (c.audit) out(ctx, `audit        ${c.audit}`);
  for (const p of c.problems) out(ctx, `  !! ${p.line !== undefined ? `line ${p.line}: ` : ""}${p.path ? `${p.path}: ` : ""}${p.message}`);
  if (c.problems.length > 0) {
    out(ctx, "sources not checked: fix hush.yaml first");
  } else {
    out(ctx, "sources");
    for (const s of r.sources) {
      out(ctx, `  ${s.ok ? "ok" : "!!"} ${s.name.padEnd(8)} ${s.detail}`);
      printProblems(ctx, s.problems, "     ");
    }
    out(ctx, `permissions  ${r.permissions.length === 0 ? "ok" : ""}`);
    printProblems(ctx, r.permissions, "  ");
    out(ctx, "keys");
    for (const k of r.keys) {
      out(ctx, `  ${k.ok ? (k.warnings.length ? "~~" : "ok") : "!!"} ${k.environment.padEnd(8)} ${k.provider}${k.implicit ? " (default)" : ""}: ${k.where}${k.detail === "no key stored" ? " — no key stored" : ""}`);
      for (const w of k.warnings) out(ctx, `     warning: ${w}`);
      printProblems(ctx, k.problems, "     ");
    }
    out(ctx, `collisions   ${r.collisions.length === 0 ? "none" : r.collisions.length}`);
    out(ctx, `required     ${r.required.declared} declared, ${r.required.missing.length} missing`);
    out(ctx, `providers    ${r.providers.length === 0 ? "no LLM provider key found" : `${r.providers.length} LLM provider key${r.providers.length === 1 ? "" : "s"} found`}`);
    for (const p of r.providers) out(ctx, `  ${p.format === "mismatch" ? "!!" : "ok"} ${p.provider.padEnd(10)} ${p.name} from ${p.source}, ${p.preview ?? ""} (format ${p.format})`);
    printProblems(ctx, r.problems, "  ");
  }
  const count = c.problems.length + r.sources.reduce((n, s) => n + (s.ok ? s.problems.length : Math.max(1, s.problems.length)), 0) + r.permissions.length + r.keys.reduce((n, k) => n + (k.ok ? 0 : Math.max(1, k.problems.length)), 0) + r.problems.length;
  out(ctx, r.ok ? "no problems found" : `${count} problem${count === 1 ? "" : "s"} found`);
}

function printProblems(ctx: CliContext, problems: DoctorProblem[], indent: string): void {
  for (const p of problems) {
    out(ctx, `${indent}!! ${p.message}`);
    out(ctx, `${indent}   fix: ${p.fix}`);
  }
}

function describeOrigin(origin: string | undefined): string {
  if (origin === "flag") return "--env";
  if (origin === "HUSH_ENV") return "HUSH_ENV";
  if (origin === "config") return "hush.yaml";
  return "the default";
}
