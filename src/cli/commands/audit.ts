/**
 * `hush audit log|report|verify|review`: the environment's audit log (`.secrets/audit.<env>.jsonl`)
 * through the library's project audit calls, which map secret ids back to names for whoever
 * holds the environment's key. Never prints a value.
 */
import type { Command } from "commander";
import {
  HushError,
  describeUnreadableLines,
  formatAccessReport,
  formatReviewMarkdown,
  formatReviewText,
  readProjectAuditLog,
  reportProjectAccess,
  reviewProjectAccess,
  verifyProjectAuditLog,
  type NamedAuditRecord,
  type ProjectOptions,
  type ReadProjectAuditLogOptions,
  type ReportProjectAccessOptions,
  type ReviewProjectAccessOptions,
  type UnreadableAuditLines,
} from "../../index.js";
import { err, out, outJson, type CliContext } from "../context.js";
import { EXIT_FOUND } from "../exit-codes.js";
import type { Mapped } from "../flags.js";
import { globalOptions, projectFrom } from "../open-manager.js";
import { parseSince } from "../parse-since.js";

export function register(program: Command, ctx: CliContext): void {
  const audit = program.command("audit").description("the audit trail: log, report, verify, quarterly review");
  const json = (opts: { json?: boolean }, cmd: Command) => Boolean(opts.json || globalOptions(cmd).json);

  registerLog(audit, ctx, json);

  audit
    .command("report")
    .description("per secret: sources, reads, writes, first and last access, distinct actors (all processes)")
    .option("--since <when>", "only records since a date or a duration ago")
    .option("--json", "machine-readable output")
    .action(async (opts: { since?: string; json?: boolean }, cmd: Command) => {
      const since = opts.since === undefined ? undefined : parseSince(opts.since);
      const options: Mapped<ReportProjectAccessOptions> = { ...projectFrom(cmd, ctx), since, onUnreadable: (u, trail) => warnUnreadable(ctx, u, trail) };
      const rows = await reportProjectAccess(options);
      if (json(opts, cmd)) outJson(ctx, rows);
      else ctx.stdout.write(formatAccessReport(rows));
    });

  audit
    .command("verify")
    .description("check the hash chain: finds edited, deleted, reordered and truncated records; exit 1 when any")
    .option("--json", "machine-readable output")
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const options: Mapped<ProjectOptions> = projectFrom(cmd, ctx);
      const { anchorKeyMissing, environment, ...r } = await verifyProjectAuditLog(options);
      if (anchorKeyMissing) err(ctx, `note: no key for environment ${environment}: the anchor's MAC is not checked`);
      if (!r.ok) ctx.exitCode = EXIT_FOUND;
      if (json(opts, cmd)) return outJson(ctx, r);
      for (const v of [r, ...(r.postgres ? [r.postgres] : [])]) {
        for (const p of v.problems) out(ctx, `${p.kind}: ${p.message}`);
        for (const n of v.notes) err(ctx, `note: ${n}`);
        const summary = `${v.path}: ${v.records} records, last seq ${v.lastSeq}`;
        err(ctx, v.problems.length === 0 ? `${summary}; chain intact` : `${summary}; ${v.problems.length} problem(s): the log does not verify`);
      }
    });

  audit
    .command("review")
    .description("quarterly access review: unused secrets, missing owner/description, rotations overdue, unusual access")
    .option("--days <n>", "length of the review window in days", "90")
    .option("--format <format>", "text, json or markdown", "text")
    .option("--json", "same as --format json")
    .option("--strict", "exit 1 while any rotation is overdue or a TLS certificate is within its renewal window (CI)")
    .action(async (opts: { days: string; format: string; json?: boolean; strict?: boolean }, cmd: Command) => {
      const days = Number(opts.days);
      if (!Number.isInteger(days) || days < 1 || days > 3660) throw new HushError("INVALID_ARGUMENT", `--days takes a whole number of days from 1 to 3660, not ${JSON.stringify(opts.days.slice(0, 20))}.`);
      const format = json(opts, cmd) ? "json" : opts.format;
      if (!["text", "json", "markdown"].includes(format)) throw new HushError("INVALID_ARGUMENT", `--format takes text, json or markdown, not ${JSON.stringify(format.slice(0, 20))}.`);
      // The review's JSON carries `unreadableLines`; its text and Markdown say it too.
      const options: Mapped<ReviewProjectAccessOptions> = { ...projectFrom(cmd, ctx), days, now: undefined, onUnreadable: (u, trail) => warnUnreadable(ctx, u, trail) };
      const review = await reviewProjectAccess(options);
      if (opts.strict && review.rotationOverdue.length + (review.certificatesExpiring?.length ?? 0) > 0) ctx.exitCode = EXIT_FOUND;
      if (format === "json") outJson(ctx, review);
      else ctx.stdout.write(format === "markdown" ? formatReviewMarkdown(review) : formatReviewText(review));
    });
}

// --- internal ---

function registerLog(audit: Command, ctx: CliContext, json: (opts: { json?: boolean }, cmd: Command) => boolean): void {
  audit
    .command("log")
    .description("print access records, oldest first (secrets by name for key holders)")
    .option("--since <when>", "only records since a date (2026-01-31) or a duration ago (7d, 24h, 30m)")
    .option("--secret <name>", "only this secret")
    .option("--source <name>", "only accesses served by or written to this source")
    .option("--actor <who>", "only this user, or user@host")
    .option("--json", "one JSON record per line, with `name` added when known")
    .addHelpText(
      "after",
      [
        "",
        "A line of the log that is not a record (damaged, edited, injected, or an append cut short) is",
        "not printed: a warning on stderr gives how many and their line numbers and lengths (never their",
        "content); a last line without its newline (a crash mid-append, or an append in progress) is",
        "named apart, as benign. With --json, a last line {\"unreadableLines\": {...}, \"trail\": ...} says",
        "the same, only when there are such lines. `hush audit verify` checks the whole chain.",
      ].join("\n"),
    )
    .action(async (opts: { since?: string; secret?: string; source?: string; actor?: string; json?: boolean }, cmd: Command) => {
      const since = opts.since === undefined ? undefined : parseSince(opts.since);
      let unreadable: { unreadableLines: UnreadableAuditLines; trail: string } | undefined;
      const onUnreadable = (u: UnreadableAuditLines, trail: string) => {
        unreadable = { unreadableLines: u, trail };
        warnUnreadable(ctx, u, trail);
      };
      const options: Mapped<ReadProjectAuditLogOptions> = { ...projectFrom(cmd, ctx), since, secret: opts.secret, source: opts.source, actor: opts.actor, onUnreadable };
      for await (const r of readProjectAuditLog(options)) out(ctx, json(opts, cmd) ? JSON.stringify(r) : formatLogLine(r));
      if (unreadable && json(opts, cmd)) out(ctx, JSON.stringify(unreadable));
    });
}

function warnUnreadable(ctx: CliContext, u: UnreadableAuditLines, trail: string): void {
  err(ctx, `hush: warning: ${describeUnreadableLines(u, trail)}`);
}

function formatLogLine(r: NamedAuditRecord): string {
  const version = r.version === null ? "" : ` v${r.version}`;
  const code = r.errorCode ? ` ${r.errorCode}` : "";
  const rolled = r.count === undefined ? "" : ` x${r.count} cached (to ${r.last ?? r.time})`;
  return `${r.seq}  ${r.time}  ${r.action} ${r.outcome}${code}${rolled}  ${r.name ?? `id:${r.secretId.slice(0, 16)}`}  ${r.source ?? "-"}${version}  ${r.actor.user}@${r.actor.host} pid ${r.actor.pid} (${r.actor.command})`;
}
