/**
 * `hush env-example [--output <file>] [--stdout]`: writes `.env.example` with names and
 * comments (description, required, type), never values. Rewrites only when the text changed.
 */
import type { Command } from "commander";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { err, outJson, type CliContext } from "../context.js";
import { globalOptions, openManagerWithConfig } from "../open-manager.js";
import { buildEnvExample } from "../../config/env-example.js";
import { writeFileAtomic } from "../../fs/atomic-write.js";

export function register(program: Command, ctx: CliContext): void {
  program
    .command("env-example")
    .description("write .env.example: every declared or stored name with comments, never values")
    .option("-o, --output <file>", "where to write (default: <project>/.env.example)")
    .option("--stdout", "print the file on stdout instead of writing it")
    .option("--json", "print { path, names, changed } as JSON")
    .action(async (opts: { output?: string; stdout?: boolean; json?: boolean }, cmd: Command) => {
      const g = globalOptions(cmd);
      const { manager, loaded } = await openManagerWithConfig(cmd, ctx);
      const example = await buildEnvExample(manager, loaded);
      await manager.dispose();
      if (opts.stdout) {
        ctx.stdout.write(example.text);
        return;
      }
      const path = opts.output ? resolve(g.cwd ?? process.cwd(), opts.output) : example.path;
      const changed = readOrUndefined(path) !== example.text;
      if (changed) await writeFileAtomic(path, example.text, { mode: 0o644 });
      if (opts.json || g.json) outJson(ctx, { path, names: example.names, changed });
      else err(ctx, `${changed ? "wrote" : "unchanged:"} ${path} (${example.names.length} names, no values)`);
    });
}

// --- internal ---

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (_e) {
    // Missing or unreadable: write it; a real write problem surfaces from writeFileAtomic.
    return undefined;
  }
}
