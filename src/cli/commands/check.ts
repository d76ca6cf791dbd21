/**
 * `hush check`: exits EXIT_FOUND (1) listing every required secret that nothing provides
 * (hush.yaml `required: true`, plus the names of `.env.example`). For CI and app start-up.
 */
import type { Command } from "commander";
import { out, outJson, type CliContext } from "../context.js";
import { EXIT_FOUND } from "../exit-codes.js";
import { globalOptions, openManagerWithConfig } from "../open-manager.js";
import { findMissingRequired } from "../../config/required.js";

export function register(program: Command, ctx: CliContext): void {
  program
    .command("check")
    .description("fail (exit 1) listing every required secret that nothing provides")
    .option("--json", "print { ok, environment, required, missing, errors } as JSON")
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { manager, loaded } = await openManagerWithConfig(cmd, ctx);
      const result = await findMissingRequired(manager, loaded);
      await manager.dispose();
      const ok = result.missing.length === 0 && result.errors.length === 0;
      if (!ok) ctx.exitCode = EXIT_FOUND;
      if (opts.json || globalOptions(cmd).json) {
        outJson(ctx, { ok, environment: loaded.environment, required: result.required, missing: result.missing, errors: result.errors });
        return;
      }
      if (result.required.length === 0) out(ctx, `no required secrets declared (hush.yaml \`required: true\` or .env.example) for ${loaded.environment}`);
      else if (ok) out(ctx, `ok: all ${result.required.length} required secrets are provided (${loaded.environment})`);
      if (result.missing.length > 0) {
        out(ctx, `missing ${result.missing.length} required secret${result.missing.length === 1 ? "" : "s"} (${loaded.environment}):`);
        for (const m of result.missing) out(ctx, `  ${m.envName}  (${m.name}; required by ${m.from.join(" and ")})`);
        out(ctx, "  set each with `hush set NAME`, or provide it through the environment or a .env file");
      }
      for (const e of result.errors) out(ctx, `cannot check ${e.name}: ${e.code}: ${e.message}`);
    });
}
