/**
 * `hush redact`: copies stdin to stdout with every managed value, and each line of a
 * multi-line value, replaced by `[REDACTED:name]`. Same engine as `hush run --mask`.
 *
 *     some-tool 2>&1 | hush redact > build.log
 */
import type { Command } from "commander";
import { createRedactStream } from "../../index.js";
import { type CliContext } from "../context.js";
import { openManager } from "../open-manager.js";

export function register(program: Command, ctx: CliContext): void {
  program
    .command("redact")
    .description("copy stdin to stdout with every managed value replaced by [REDACTED:name]")
    .action(async (_opts: unknown, cmd: Command) => {
      const m = await openManager(cmd, ctx);
      let values: Map<string, string>;
      try {
        const { secrets } = await m.resolve();
        values = new Map(Object.entries(secrets).map(([name, r]) => [name, r.value]));
      } finally {
        await m.dispose();
      }
      const stream = createRedactStream(values);
      ctx.stdin.pipe(stream);
      for await (const chunk of stream) ctx.stdout.write(chunk as Buffer);
    });
}
