/**
 * `hush check`: exits EXIT_FOUND (1) listing every required secret that nothing provides
 * (hush.yaml `required: true`, plus the names of `.env.example`). For CI and app start-up.
 */
import type { Command } from "commander";
import { checkRequired, type CheckRequiredOptions } from "../../index.js";
import { out, outJson, type CliContext } from "../context.js";
import { EXIT_FOUND } from "../exit-codes.js";
import type { Mapped } from "../flags.js";
import { globalOptions, projectFrom } from "../open-manager.js";

export function register(program: Command, ctx: CliContext): void {
  program
    .command("check")
    .description("fail (exit 1) listing every required secret that nothing provides")
    .option("--json", "print { ok, environment, required, missing, errors } as JSON")
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const options: Mapped<CheckRequiredOptions> = projectFrom(cmd, ctx);
      const result = await checkRequired(options);
      const { ok, environment } = result;
      if (!ok) ctx.exitCode = EXIT_FOUND;
      if (opts.json || globalOptions(cmd).json) {
        outJson(ctx, { ok, environment, required: result.required, missing: result.missing, errors: result.errors });
        return;
      }
      if (result.required.length === 0) out(ctx, `no required secrets declared (hush.yaml \`required: true\` or .env.example) for ${environment}`);
      else if (ok) out(ctx, `ok: all ${result.required.length} required secrets are provided (${environment})`);
      if (result.missing.length > 0) {
        out(ctx, `missing ${result.missing.length} required secret${result.missing.length === 1 ? "" : "s"} (${environment}):`);
        for (const m of result.missing) out(ctx, `  ${m.envName}  (${m.name}; required by ${m.from.join(" and ")})`);
        out(ctx, "  set each with `hush set NAME`, or provide it through the environment or a .env file");
      }
      for (const e of result.errors) out(ctx, `cannot check ${e.name}: ${e.code}: ${e.message}`);
    });
}
