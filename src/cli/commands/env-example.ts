/**
 * `hush env-example [--output <file>] [--stdout]`: writes `.env.example` with names and
 * comments (description, required, type), never values. Rewrites only when the text changed.
 */
import type { Command } from "commander";
import { writeEnvExample, type WriteEnvExampleOptions } from "../../index.js";
import { err, outJson, type CliContext } from "../context.js";
import type { Mapped } from "../flags.js";
import { globalOptions, projectFrom } from "../open-manager.js";

export function register(program: Command, ctx: CliContext): void {
  program
    .command("env-example")
    .description("write .env.example: every declared or stored name with comments, never values")
    .option("-o, --output <file>", "where to write (default: <project>/.env.example)")
    .option("--stdout", "print the file on stdout instead of writing it")
    .option("--json", "print { path, names, changed } as JSON")
    .action(async (opts: { output?: string; stdout?: boolean; json?: boolean }, cmd: Command) => {
      const options: Mapped<WriteEnvExampleOptions> = { ...projectFrom(cmd, ctx), output: opts.output, dryRun: opts.stdout };
      const r = await writeEnvExample(options);
      if (opts.stdout) ctx.stdout.write(r.text);
      else if (opts.json || globalOptions(cmd).json) outJson(ctx, { path: r.path, names: r.names, changed: r.changed });
      else err(ctx, `${r.changed ? "wrote" : "unchanged:"} ${r.path} (${r.names.length} names, no values)`);
    });
}
