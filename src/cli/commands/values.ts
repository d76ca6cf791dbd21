/**
 * `hush get NAME`, `hush set NAME`, `hush rm NAME`: read and write single values.
 * `get` prints the raw value on stdout and nothing else.
 */
import type { Command } from "commander";
import { HushError, destroySecret, restoreSecret, type SoftDeleteOptions } from "../../index.js";
import { outJson, err, type CliContext } from "../context.js";
import { openManager, globalOptions, projectFrom } from "../open-manager.js";
import type { Mapped } from "../flags.js";
import { readSecretValue } from "../read-value.js";

const SET_HELP_AFTER = `
The value is read from --from-file, else from stdin when it is piped, else from a hidden prompt;
never from the command line. One trailing newline is dropped (unless --keep-newline), and an
empty value is refused unless --allow-empty.

Examples:
  printf %s "$OPENAI_API_KEY" | hush set openai_api_key
  hush set openai_api_key                # hidden prompt
  hush set tls_key --from-file key.pem --keep-newline
`;

export function register(program: Command, ctx: CliContext): void {
  program
    .command("get")
    .description("print a secret's value on stdout (nothing else)")
    .argument("<name>", "secret name, e.g. openai_api_key or OPENAI_API_KEY")
    .option("--json", "print { name, value, source, version } as JSON")
    .action(async (name: string, opts: { json?: boolean }, cmd: Command) => {
      const m = await openManager(cmd, ctx);
      const record = await m.getRecord(name, { required: true });
      if (opts.json || globalOptions(cmd).json) outJson(ctx, { name: record.name, value: record.value, source: record.source, version: record.version });
      else ctx.stdout.write(record.value);
      await m.dispose();
    });

  program
    .command("set")
    .description("store a secret; the value comes from stdin, a hidden prompt, or --from-file (never argv)")
    .argument("<name>", "secret name")
    .option("--from-file <path>", "read the value from a file ('-' for stdin)")
    .option("--keep-newline", "keep a trailing newline of the input")
    .option("--allow-empty", "store an empty value on purpose (refused otherwise: an empty stdin is usually a mistake)")
    .option("--source <name>", "write to this source (default: the first writable one, `local`)")
    .option("--json", "print the new record (without value) as JSON")
    // A value typed after the name reaches the action, which refuses it with the reason (commander
    // would only say "too many arguments"); the value itself is never repeated.
    .allowExcessArguments()
    .addHelpText("after", SET_HELP_AFTER)
    .action(async (name: string, opts: { fromFile?: string; keepNewline?: boolean; allowEmpty?: boolean; source?: string; json?: boolean }, cmd: Command) => {
      if (cmd.args.length > 1) throw new HushError("INVALID_ARGUMENT", "`hush set` takes the value from stdin, a prompt or --from-file, never from the command line (shell history and `ps` would keep it); nothing was stored. If that was a real secret, it is in your shell history now: rotate it.", { hint: "printf %s \"$VALUE\" | hush set NAME   (or: hush set NAME, then type it at the hidden prompt)" });
      const m = await openManager(cmd, ctx);
      const value = await readSecretValue(ctx, { fromFile: opts.fromFile, keepNewline: opts.keepNewline, prompt: `Value for ${name}: ` });
      if (value === "" && !opts.allowEmpty) {
        await m.dispose();
        throw new HushError("INVALID_VALUE", `The value for "${name}" is empty (${opts.fromFile !== undefined ? `${opts.fromFile === "-" ? "stdin" : "the file"} held nothing` : ctx.stdin.isTTY ? "nothing was typed" : "stdin gave nothing"}); nothing was stored.`, {
          hint: "Pipe the value in (printf %s \"$VALUE\" | hush set NAME), or pass --allow-empty to store an empty value on purpose.",
        });
      }
      const record = await m.set(name, value, { source: opts.source });
      await m.dispose();
      if (opts.json || globalOptions(cmd).json) outJson(ctx, { name: record.name, source: record.source, version: record.version, updatedAt: record.updatedAt });
      else err(ctx, `stored ${record.name} in ${record.source}${record.version !== undefined ? ` (version ${record.version})` : ""}`);
    });

  program
    .command("rm")
    .description("remove a secret from the writable source")
    .argument("<name>", "secret name")
    .option("--source <name>", "remove from this source")
    .option("--destroy", "purge it and every version for good (sources that keep deleted secrets: postgres); without it, postgres keeps it for `hush restore`")
    .option("--json", "print { name, removed } as JSON")
    .action(async (name: string, opts: { source?: string; json?: boolean; destroy?: boolean }, cmd: Command) => {
      if (opts.destroy) {
        const options: Mapped<SoftDeleteOptions> & SoftDeleteOptions = { ...projectFrom(cmd, ctx), name, source: opts.source };
        const r = await destroySecret(options);
        return report(ctx, cmd, opts, name, r.done, `destroyed ${name} and its versions in ${r.source}`);
      }
      const m = await openManager(cmd, ctx);
      const removed = await m.delete(name, { source: opts.source });
      await m.dispose();
      report(ctx, cmd, opts, name, removed, `removed ${name}`);
    });

  program
    .command("restore")
    .description("bring back a secret removed with `hush rm` (sources that keep deleted secrets: postgres)")
    .argument("<name>", "secret name")
    .option("--source <name>", "restore in this source")
    .option("--json", "print { name, removed } as JSON")
    .action(async (name: string, opts: { source?: string; json?: boolean }, cmd: Command) => {
      const options: Mapped<SoftDeleteOptions> & SoftDeleteOptions = { ...projectFrom(cmd, ctx), name, source: opts.source };
      const r = await restoreSecret(options);
      if (opts.json || globalOptions(cmd).json) return outJson(ctx, { name, restored: r.done, source: r.source });
      if (r.done) return err(ctx, `restored ${name} in ${r.source}`);
      err(ctx, `${name} was not deleted in ${r.source}; nothing restored`);
      ctx.exitCode = 4;
    });
}

function report(ctx: CliContext, cmd: Command, opts: { json?: boolean }, name: string, removed: boolean, done: string): void {
  if (opts.json || globalOptions(cmd).json) outJson(ctx, { name, removed });
  else if (removed) err(ctx, done);
  else {
    err(ctx, `${name} was not in the store; nothing removed`);
    ctx.exitCode = 4;
  }
}
