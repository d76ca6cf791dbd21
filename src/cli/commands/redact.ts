/**
 * `hush redact`: copies stdin to stdout with every managed value, and each line of a
 * multi-line value, replaced by `[REDACTED:name]`. Same engine as `hush run --mask`.
 * When a value exists but cannot be read (wrong key, damaged store, audit denial), it stops
 * before reading stdin: text it could not check is never passed through.
 *
 *     some-tool 2>&1 | hush redact > build.log
 */
import type { Command } from "commander";
import { createRedactStream, ERROR_CODES, HushError, type HushErrorCode } from "../../index.js";
import { type CliContext } from "../context.js";
import { openManager } from "../open-manager.js";

export function register(program: Command, ctx: CliContext): void {
  program
    .command("redact")
    .description("copy stdin to stdout with every managed value replaced by [REDACTED:name]")
    .addHelpText("after", "\nIf any managed value cannot be read, hush redact exits non-zero and writes nothing.\n")
    .action(async (_opts: unknown, cmd: Command) => {
      const m = await openManager(cmd, ctx);
      let values: Map<string, string>;
      try {
        const { secrets, issues } = await m.resolve();
        const failed = issues.filter((i) => i.code !== "NOT_FOUND");
        if (failed.length > 0) {
          const names = failed.map((i) => i.name).join(", ");
          const code = (ERROR_CODES as string[]).includes(failed[0]!.code) ? (failed[0]!.code as HushErrorCode) : "READ_FAILED";
          throw new HushError(code, `hush redact: ${failed.length} managed value(s) could not be read (${names}), so nothing is passed through: ${failed[0]!.message}`);
        }
        values = new Map(Object.entries(secrets).map(([name, r]) => [name, r.value]));
      } finally {
        await m.dispose();
      }
      const stream = createRedactStream(values);
      ctx.stdin.pipe(stream);
      for await (const chunk of stream) ctx.stdout.write(chunk as Buffer);
    });
}
