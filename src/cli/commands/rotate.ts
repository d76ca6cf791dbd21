/**
 * `hush rotate NAME`: create -> pending, set, test, finish (docs/rotation.md). The rotator is
 * hush.yaml's `secrets.NAME.rotator`, or `--rotator TYPE` (with its defaults). Progress goes to
 * stderr, the result to stdout (`--json` for scripts); no value is ever printed.
 */
import { createInterface } from "node:readline/promises";
import type { Command } from "commander";
import { discardPendingRotation, HushError, rotateDue, rotateSecret, type DiscardPendingOptions, type RotateDueOptions, type RotateOptions, type RotateResult } from "../../index.js";
import { EXIT_CODES, EXIT_ROTATION_STILL_DUE } from "../exit-codes.js";
import { err, out, outJson, type CliContext } from "../context.js";
import { globalOptions, projectFrom } from "../open-manager.js";
import { readSecretValue } from "../read-value.js";
import type { Mapped } from "../flags.js";

const HELP_AFTER = `
Steps: create (the new value is stored as pending), set (applied in the target), test (checked
there), finish (pending becomes current, the old value previous). A failure at any step leaves
current untouched and names the step; --resume carries on from the stored pending version, and
--discard drops it instead (current untouched; hush does not revoke it: if the set step ran, the
pending value may be live in the target, and a reminder says so).

The old value stays valid for the grace period (--grace, default 10m), then the rotator revokes
it: at once with --grace 0, else \`hush rotate --due\` (from cron) performs the recorded revoke.

Examples:
  hush rotate session_secret --rotator random --grace 0 --yes
  hush rotate openai_api_key                  # rotator from hush.yaml; asks for the new key
  hush rotate db_password --resume            # after a failure or an interrupted rotation
  hush rotate db_password --discard --yes     # or drop that pending version, then rotate anew
`;

interface RotateFlags {
  rotator?: string;
  grace?: string;
  resume?: boolean;
  source?: string;
  json?: boolean;
  yes?: boolean;
  due?: boolean;
  dryRun?: boolean;
  discard?: boolean;
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command("rotate")
    .description("rotate a secret: create -> pending, set, test, finish; revoke the old value after a grace period")
    .argument("[name]", "secret name (not with --due)")
    .option("--rotator <type>", "rotator type to use instead of hush.yaml's (random, command, llm-key, tls-certificate)")
    .option("--grace <duration>", "how long the old value stays valid before it is revoked (0, 30s, 10m, 1h, 7d)", "10m")
    .option("--resume", "carry on from the stored pending version")
    .option("--source <name>", "rotate in this source of the chain")
    .option("--discard", "drop the pending version an interrupted or failed rotation left (no revoke)")
    .option("--due", "perform revokes whose grace period is over, and rotate every overdue secret that has a rotator (cron)")
    .option("--dry-run", "with --due: only list what is due")
    .option("--yes", "do not ask for confirmation (scripts)")
    .option("--json", "print the result as JSON (no values)")
    .addHelpText("after", HELP_AFTER)
    .action(async (name: string | undefined, opts: RotateFlags, cmd: Command) => {
      const json = opts.json || globalOptions(cmd).json;
      if (opts.discard) return runDiscard(ctx, cmd, opts, name, json === true);
      if (opts.due) return runDue(ctx, cmd, opts, name, json === true);
      if (name === undefined) throw new HushError("INVALID_ARGUMENT", "hush rotate needs a secret name, or --due.");
      if (!opts.yes && !(await confirm(ctx, `Rotate ${name}${opts.resume ? " (resume)" : ""}? [y/N] `))) {
        throw new HushError("INVALID_ARGUMENT", "Not confirmed; nothing was changed. Pass --yes to rotate without asking (scripts).");
      }
      const options: RotateOptions = {
        ...projectFrom(cmd, ctx),
        name,
        rotator: opts.rotator === undefined ? undefined : { type: opts.rotator, options: {} },
        graceMs: parseGrace(opts.grace ?? "10m"),
        resume: opts.resume === true,
        source: opts.source,
        onProgress: json ? undefined : (m) => err(ctx, `hush: rotate: ${m}`),
        readSecret: (question) => readSecretValue(ctx, { prompt: question }),
      };
      const result = await rotateSecret(options);
      if (json) return outJson(ctx, result);
      report(ctx, result);
    });
}

// --- internal ---

/** `--discard`: only with a name, --source, --yes and --json. */
async function runDiscard(ctx: CliContext, cmd: Command, opts: RotateFlags, name: string | undefined, json: boolean): Promise<void> {
  const other = [opts.resume && "--resume", opts.due && "--due", opts.dryRun && "--dry-run", opts.rotator !== undefined && "--rotator", cmd.getOptionValueSource("grace") === "cli" && "--grace"].filter(Boolean);
  if (other.length > 0) throw new HushError("INVALID_ARGUMENT", `--discard drops the pending version; it does not go with ${other.join(", ")}.`);
  if (name === undefined) throw new HushError("INVALID_ARGUMENT", "hush rotate --discard needs a secret name.");
  if (!opts.yes && !(await confirm(ctx, `Discard the pending version of ${name}? [y/N] `))) {
    throw new HushError("INVALID_ARGUMENT", "Not confirmed; nothing was changed. Pass --yes to discard without asking (scripts).");
  }
  const options: Mapped<Omit<DiscardPendingOptions, "name">> = { ...projectFrom(cmd, ctx), source: opts.source };
  const r = await discardPendingRotation({ ...options, name });
  if (json) return outJson(ctx, r);
  out(ctx, `discarded pending version ${r.version} of ${r.name} in ${r.source}; current is unchanged`);
  for (const line of r.reminders) out(ctx, `reminder: ${line}`);
}

/** `--due`: the exit code says all done (0), still due (EXIT_ROTATION_STILL_DUE) or failed (ROTATION_FAILED's). */
async function runDue(ctx: CliContext, cmd: Command, opts: RotateFlags, name: string | undefined, json: boolean): Promise<void> {
  if (name !== undefined) throw new HushError("INVALID_ARGUMENT", "--due rotates every overdue secret; give no name with it.");
  const options: RotateDueOptions = { ...projectFrom(cmd, ctx), dryRun: opts.dryRun === true, graceMs: parseGrace(opts.grace ?? "10m"), onProgress: json ? undefined : (m) => err(ctx, `hush: rotate: ${m}`) };
  const r = await rotateDue(options);
  ctx.exitCode = r.failed.length > 0 ? EXIT_CODES.ROTATION_FAILED : r.stillDue.length > 0 ? EXIT_ROTATION_STILL_DUE : 0;
  if (json) return outJson(ctx, r);
  for (const x of r.revoked) out(ctx, `revoked ${x.name} version ${x.version}`);
  for (const x of r.rotated) out(ctx, `rotated ${x.name}: version ${x.version} is current`);
  for (const x of r.failed) out(ctx, `FAILED ${x.step} ${x.name}: ${x.code}: ${x.message}`);
  for (const x of r.stillDue) out(ctx, `still due: ${x.name}: ${x.reason}${x.dueSince ? ` (since ${x.dueSince})` : ""}`);
  if (r.revoked.length + r.rotated.length + r.failed.length + r.stillDue.length === 0) out(ctx, "nothing is due");
}

function report(ctx: CliContext, r: RotateResult): void {
  out(ctx, `rotated ${r.name} in ${r.source} with ${r.rotator}: version ${r.version} is current, ${r.previousVersion} previous${r.resumed ? " (resumed)" : ""}`);
  if (r.revoke === "done") out(ctx, `the old version ${r.previousVersion} was revoked`);
  if (r.revoke === "due") out(ctx, `the old version ${r.previousVersion} is revoked after ${r.revokeDueAt!.toISOString()} by \`hush rotate --due\``);
  for (const line of r.reminders) out(ctx, `reminder: ${line}`);
}

/** `0`, `30s`, `10m`, `1h`, `7d` as ms. */
function parseGrace(text: string): number {
  const m = /^(\d+)(s|m|h|d)?$/.exec(text.trim());
  if (!m) throw new HushError("INVALID_ARGUMENT", "--grace takes a duration such as 0, 30s, 10m, 1h or 7d.");
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(m[2] ?? "s") as "s" | "m" | "h" | "d"];
}

/** Asks on a terminal; without one (a script), only --yes confirms. */
async function confirm(ctx: CliContext, question: string): Promise<boolean> {
  if (!ctx.stdin.isTTY) return false;
  const rl = createInterface({ input: ctx.stdin, output: ctx.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}
