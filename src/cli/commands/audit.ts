/**
 * `hush audit log|report|verify|review`: read the environment's audit log
 * (`.secrets/audit.<env>.jsonl`). Records name secrets by keyed id; these commands map ids back
 * to names by hashing the names the sources list and hush.yaml declares (ids are one-way), so
 * only someone holding the environment's key sees names. Never prints a value.
 */
import type { Command } from "commander";
import { err, out, outJson, type CliContext } from "../context.js";
import { EXIT_FOUND } from "../exit-codes.js";
import { globalOptions, openManagerWithConfig } from "../open-manager.js";
import { HushError, isHushError } from "../../errors.js";
import { jsonlLogPath } from "../../audit/jsonl-sink.js";
import { readAuditRecords } from "../../audit/read.js";
import { createSecretIdMapper, loadAuditKeys, type AuditKeys } from "../../audit/secret-id.js";
import { verifyAuditLog } from "../../audit/verify.js";
import { buildAccessReport, formatAccessReport } from "../../audit/report.js";
import { reviewAccess, type SecretMeta } from "../../audit/review.js";
import { formatReviewMarkdown, formatReviewText } from "../../audit/review-format.js";
import type { AuditRecord } from "../../audit/record.js";
import type { SecretsManager } from "../../manager.js";
import type { LoadedConfig } from "../../config/types.js";

export function register(program: Command, ctx: CliContext): void {
  const audit = program.command("audit").description("the audit trail: log, report, verify, quarterly review");

  audit
    .command("log")
    .description("print access records, oldest first (secrets by name for key holders)")
    .option("--since <when>", "only records since a date (2026-01-31) or a duration ago (7d, 24h, 30m)")
    .option("--secret <name>", "only this secret")
    .option("--source <name>", "only accesses served by or written to this source")
    .option("--actor <who>", "only this user, or user@host")
    .option("--json", "one JSON record per line, with `name` added when known")
    .action(async (opts: { since?: string; secret?: string; source?: string; actor?: string; json?: boolean }, cmd: Command) => {
      const since = opts.since === undefined ? undefined : parseSince(opts.since);
      await withAudit(cmd, ctx, opts.secret ? [opts.secret] : [], async ({ logPath, ids }) => {
        const wanted = opts.secret === undefined ? undefined : ids.idOf(opts.secret);
        const json = opts.json || globalOptions(cmd).json;
        for await (const r of readAuditRecords(logPath)) {
          if (since && r.time < since) continue;
          if (wanted && r.secretId !== wanted) continue;
          if (opts.source && r.source !== opts.source) continue;
          if (opts.actor && !matchesActor(r, opts.actor)) continue;
          const name = ids.nameOf(r.secretId);
          if (json) out(ctx, JSON.stringify({ ...r, name: name ?? null }));
          else out(ctx, formatLogLine(r, name));
        }
      });
    });

  audit
    .command("report")
    .description("per secret: sources, reads, writes, first and last access, distinct actors (all processes)")
    .option("--since <when>", "only records since a date or a duration ago")
    .option("--json", "machine-readable output")
    .action(async (opts: { since?: string; json?: boolean }, cmd: Command) => {
      const since = opts.since === undefined ? undefined : parseSince(opts.since);
      await withAudit(cmd, ctx, [], async ({ logPath, ids }) => {
        const rows = await buildAccessReport(filterSince(readAuditRecords(logPath), since), ids.nameOf);
        if (opts.json || globalOptions(cmd).json) outJson(ctx, rows);
        else ctx.stdout.write(formatAccessReport(rows));
      });
    });

  audit
    .command("verify")
    .description("check the hash chain: finds edited, deleted, reordered and truncated records; exit 1 when any")
    .option("--json", "machine-readable output")
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      await withAudit(cmd, ctx, [], async ({ logPath, keys, manager }) => {
        const r = await verifyAuditLog(logPath, { environment: manager.environment, anchorKey: keys?.anchorKey });
        if (!r.ok) ctx.exitCode = EXIT_FOUND;
        if (opts.json || globalOptions(cmd).json) return outJson(ctx, r);
        for (const p of r.problems) out(ctx, `${p.kind}: ${p.message}`);
        for (const n of r.notes) err(ctx, `note: ${n}`);
        const summary = `${logPath}: ${r.records} records, last seq ${r.lastSeq}`;
        if (r.ok) err(ctx, `${summary}; chain intact`);
        else err(ctx, `${summary}; ${r.problems.length} problem(s): the log does not verify`);
      }, { keyOptional: true });
    });

  audit
    .command("review")
    .description("quarterly access review: unused secrets, missing owner/description, rotations overdue, unusual access")
    .option("--days <n>", "length of the review window in days", "90")
    .option("--format <format>", "text, json or markdown", "text")
    .option("--json", "same as --format json")
    .action(async (opts: { days: string; format: string; json?: boolean }, cmd: Command) => {
      const days = Number(opts.days);
      if (!Number.isInteger(days) || days < 1 || days > 3660) throw new HushError("INVALID_ARGUMENT", `--days takes a whole number of days from 1 to 3660, not ${JSON.stringify(opts.days.slice(0, 20))}.`);
      const format = opts.json || globalOptions(cmd).json ? "json" : opts.format;
      if (!["text", "json", "markdown"].includes(format)) throw new HushError("INVALID_ARGUMENT", `--format takes text, json or markdown, not ${JSON.stringify(format.slice(0, 20))}.`);
      await withAudit(cmd, ctx, [], async ({ logPath, ids, manager, loaded, names }) => {
        const review = await reviewAccess({
          records: readAuditRecords(logPath),
          secrets: names,
          secretsMeta: metaFromConfig(loaded),
          lastRotation: await lastRotations(manager, names),
          idOf: ids.idOf,
          days,
        });
        if (format === "json") outJson(ctx, review);
        else ctx.stdout.write(format === "markdown" ? formatReviewMarkdown(review) : formatReviewText(review));
      });
    });
}

// --- internal ---

interface AuditScope {
  manager: SecretsManager;
  loaded: LoadedConfig;
  logPath: string;
  keys: AuditKeys | undefined;
  ids: { idOf(name: string): string; nameOf(id: string): string | undefined };
  /** Names the sources list plus the names hush.yaml declares. */
  names: string[];
}

/** Opens the manager and the keys, runs `fn`, and disposes the manager. */
async function withAudit(cmd: Command, ctx: CliContext, extraNames: string[], fn: (scope: AuditScope) => Promise<void>, options: { keyOptional?: boolean } = {}): Promise<void> {
  const { manager, loaded } = await openManagerWithConfig(cmd, ctx);
  try {
    let keys: AuditKeys | undefined;
    try {
      keys = loadAuditKeys(manager.secretsDir, manager.environment);
    } catch (e) {
      if (!options.keyOptional || !isHushError(e, "KEY_MISSING")) throw e;
      err(ctx, `note: no key for environment ${manager.environment}: the anchor's MAC is not checked`);
    }
    const names = await knownNames(manager, loaded, ctx);
    const mapper = keys ? createSecretIdMapper(keys.idKey) : undefined;
    // Provider key names are learned too (a lookup of a missing one is an access record), but
    // they are not secrets of the project: the review does not list them.
    mapper?.learn([...names, ...extraNames, ...(await providerNames())]);
    const ids = mapper ?? { idOf: () => "", nameOf: () => undefined };
    await fn({ manager, loaded, logPath: jsonlLogPath(manager.secretsDir, manager.environment), keys, ids, names });
  } finally {
    await manager.dispose();
  }
}

async function knownNames(manager: SecretsManager, loaded: LoadedConfig, ctx: CliContext): Promise<string[]> {
  let listed: string[] = [];
  try {
    listed = (await manager.list()).map((l) => l.name);
  } catch (e) {
    // A source that cannot list (offline backend) only costs names; say which code.
    err(ctx, `hush: warning: could not list every source (${isHushError(e) ? e.code : "error"}); some ids stay unnamed`);
  }
  return [...new Set([...listed, ...Object.keys(loaded.config.secrets)])].sort();
}

/**
 * The names `hush providers`, `doctor` and the adapters look up (keys, aliases, settings): a
 * missing one is still an access record, and its id should read as a name in the report.
 */
async function providerNames(): Promise<string[]> {
  const { PROVIDERS } = await import("../../adapters/registry.js");
  const { keyLookupNames } = await import("../../adapters/lookup.js");
  return PROVIDERS.flatMap((p) => [...keyLookupNames(p), ...p.settings.flatMap((s) => s.names)]).map((n) => n.toLowerCase());
}

function metaFromConfig(loaded: LoadedConfig): Record<string, SecretMeta> {
  const meta: Record<string, SecretMeta> = {};
  for (const [name, p] of Object.entries(loaded.config.secrets)) {
    // rotationDays is already effective (the type's default applied); absent means none.
    meta[name] = { owner: p.owner, description: p.description, type: p.type, rotationDays: p.rotationDays ?? null };
  }
  return meta;
}

/** Newest version's date per name, for sources with versions; others stay unknown. */
async function lastRotations(manager: SecretsManager, names: string[]): Promise<Record<string, Date | undefined>> {
  const out: Record<string, Date | undefined> = {};
  for (const name of names) {
    try {
      out[name] = (await manager.versions(name))[0]?.createdAt;
    } catch (_e) {
      // No versioned source holds it (env, .env): its last rotation is unknown, as reported.
      out[name] = undefined;
    }
  }
  return out;
}

/** `7d`, `24h`, `30m`, `2w` ago, or an ISO date/time; returns an ISO string. */
export function parseSince(text: string, now = Date.now()): string {
  const rel = /^(\d+)([mhdw])$/.exec(text.trim());
  if (rel) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[rel[2] as "m" | "h" | "d" | "w"];
    return new Date(now - Number(rel[1]) * unit).toISOString();
  }
  const t = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(t)) throw new HushError("INVALID_ARGUMENT", `--since takes a date (2026-01-31, 2026-01-31T12:00Z) or a duration (30m, 24h, 7d, 2w), not ${JSON.stringify(text.slice(0, 30))}.`);
  return new Date(t).toISOString();
}

async function* filterSince(records: AsyncIterable<AuditRecord>, since: string | undefined): AsyncGenerator<AuditRecord> {
  for await (const r of records) if (since === undefined || r.time >= since) yield r;
}

function matchesActor(r: AuditRecord, who: string): boolean {
  return who.includes("@") ? `${r.actor.user}@${r.actor.host}` === who : r.actor.user === who;
}

function formatLogLine(r: AuditRecord, name: string | undefined): string {
  const version = r.version === null ? "" : ` v${r.version}`;
  const code = r.errorCode ? ` ${r.errorCode}` : "";
  return `${r.seq}  ${r.time}  ${r.action} ${r.outcome}${code}  ${name ?? `id:${r.secretId.slice(0, 16)}`}  ${r.source ?? "-"}${version}  ${r.actor.user}@${r.actor.host} pid ${r.actor.pid} (${r.actor.command})`;
}
