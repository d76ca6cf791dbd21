/**
 * `hush incident NAME [--yes] [--no-git-history] [--json]`, `hush incident list [--open] [--json]`,
 * `hush incident mark ID [--json]` and `hush incident close ID [--note TEXT] [--by WHO] [--force] [--json]`:
 * the procedure for a compromised secret (docs/rotation.md, "Incidents"). Names, places and people on output, never a
 * value; a close note goes to the record only (and to stdout with --json, which prints the record).
 */
import type { Command } from "commander";
import { closeIncident, describeUnreadableLines, HushError, type CloseIncidentOptions, type HushErrorCode, listIncidents, markIncidentCompromised, type MarkIncidentOptions, openIncident, type IncidentListing, type ListIncidentsOptions, type OpenIncidentOptions } from "../../index.js";
import { err, out, outJson, type CliContext } from "../context.js";
import { EXIT_CODES, EXIT_FOUND } from "../exit-codes.js";
import { readSecretValue } from "../read-value.js";
import type { Mapped } from "../flags.js";
import { globalOptions, projectFrom } from "../open-manager.js";

interface IncidentFlags {
  yes?: boolean;
  rotate?: boolean;
  grace?: string;
  gitHistory?: boolean;
  json?: boolean;
}

export function register(program: Command, ctx: CliContext): void {
  const incident = program.command("incident").description("a compromised secret: rotate and revoke now, where it leaked, who read it, an incident record in .hush/incidents/");
  incident
    .command("open <name>", { isDefault: true })
    .description("run the incident procedure for NAME (`hush incident NAME` for short)")
    .option("--yes", "do not ask for confirmation (scripts)")
    .option("--no-rotate", "do not rotate (the record then says what to rotate and revoke by hand)")
    .option("--grace <duration>", "how long the old value stays valid after the rotation (0, 30s, 5m)", "1m")
    .option("--no-git-history", "search the working tree only, not every commit")
    .option("--json", "print the record as JSON")
    .addHelpText(
      "after",
      [
        "",
        "Steps: the audit trail gives every read of the compromised version (who, when, host, pid,",
        "command) and since when it existed; the working tree and every commit of the git history are",
        "searched for the value (plain, base64, base64url, URL, hex); the secret is rotated now with",
        "hush.yaml's rotator (hush rotate's workflow; --grace 0 revokes the old value at once) and the old",
        "version is marked compromised in the audit trail; what the rotator cannot revoke is printed. A",
        "record (Markdown + JSON, no value) with a checklist is written to .hush/incidents/, to be committed.",
        "",
        "Examples:",
        "  hush incident openai_api_key --grace 0",
        "  hush incident database_url --yes --json     (scripts)",
        "  hush incident list --open",
        "  hush incident mark 2026-11-29T18-30          (the audit trail was down: write the missed mark)",
        "  hush incident close 2026-11-29T18-30 --note \"usage dashboard checked: no use after the rotation\"",
      ].join("\n"),
    )
    .action(async (name: string, opts: IncidentFlags, cmd: Command) => {
      const json = opts.json || globalOptions(cmd).json;
      if (!opts.yes) await confirm(ctx, `hush: incident for ${name}: ${opts.rotate === false ? "" : "rotate it now (old value valid for the grace period), "}mark the version compromised, search this project and its git history for it, read the audit trail, write a record in .hush/incidents/. Continue? [y/N] `);
      const options: Mapped<Omit<OpenIncidentOptions, "name">> = {
        ...projectFrom(cmd, ctx),
        gitHistory: opts.gitHistory,
        rotate: opts.rotate,
        graceMs: parseGrace(opts.grace ?? "1m"),
        onStep: json ? undefined : (s) => err(ctx, `hush: ${s}...`),
        onProgress: (m) => err(ctx, `hush: ${m}`),
        readSecret: (question) => readSecretValue(ctx, { prompt: question }),
      };
      const r = await openIncident({ ...options, name });
      if (r.rotation.status === "failed") ctx.exitCode = EXIT_CODES[r.rotation.error!.code as HushErrorCode] ?? EXIT_FOUND;
      if (json) return outJson(ctx, r);
      report(ctx, r);
    });
  incident
    .command("list")
    .description("list the incident records of the project: id, status (open/closed), secret, items left")
    .option("--open", "only the open incidents")
    .option("--json", "print the records as JSON")
    .action(async (opts: { open?: boolean; json?: boolean }, cmd: Command) => {
      const p = projectFrom(cmd, ctx);
      const options: Mapped<ListIncidentsOptions> = { cwd: p.cwd, environment: p.environment, env: p.env, loaded: undefined, status: opts.open ? "open" : undefined };
      const records = await listIncidents(options);
      if (opts.json || globalOptions(cmd).json) return outJson(ctx, records);
      if (records.length === 0) return out(ctx, opts.open ? "No open incident." : "No incident recorded.");
      for (const r of records) {
        const open = r.checklist.filter((c) => !c.done).length;
        out(ctx, `${r.id}  ${r.status}  ${r.name} (${r.environment})  ${r.leaks.leaks.length} leak(s)  ${r.impact.status === "unknown" ? "unknown readers" : `${r.impact.unreadableLines ? "at least " : ""}${r.impact.readers.length} reader process(es)`}  ${open} item(s) left  ${r.files.markdown}`);
      }
    });
  registerMark(incident, ctx);
  registerClose(incident, ctx);
}

// --- internal ---

function registerMark(incident: Command, ctx: CliContext): void {
  incident
    .command("mark <id>")
    .description("write the mark-compromised audit record an incident could not write (audit down), then tick its checklist item")
    .option("--json", "print the updated record as JSON")
    .addHelpText(
      "after",
      [
        "",
        "When `hush incident NAME` ran while the audit trail could not be written, its record says the",
        "compromised version was NOT marked and leaves \"Mark version N compromised in the audit trail\" open.",
        "Once the trail is back, this writes that mark (action mark-compromised) for the version the",
        "incident names (not the one served now), in the incident's environment, then sets",
        "rotation.markedCompromised, adds a line under \"What hush did\", ticks the item and re-writes the",
        "JSON and the Markdown. Refused when already marked; when the mark fails again, nothing changes.",
        "",
        "Examples:",
        "  hush incident list --open",
        "  hush incident mark 2026-11-29T18-30",
      ].join("\n"),
    )
    .action(async (id: string, opts: { json?: boolean }, cmd: Command) => {
      const options: Mapped<Omit<MarkIncidentOptions, "id">> = projectFrom(cmd, ctx);
      const r = await markIncidentCompromised({ ...options, id });
      if (opts.json || globalOptions(cmd).json) return outJson(ctx, r);
      out(ctx, `incident ${r.id}: marked ${r.secret.version === null ? "the compromised value" : `version ${r.secret.version}`} of ${r.name} compromised in the audit trail (${r.environment})`);
      const open = r.checklist.filter((c) => !c.done).length;
      out(ctx, `record: ${r.files.markdown} and ${r.files.json} (${open} item(s) left; commit them)`);
    });
}

function registerClose(incident: Command, ctx: CliContext): void {
  incident
    .command("close <id>")
    .description("close an incident (its id as `hush incident list` shows it, or a unique prefix) once its checklist is done")
    .option("--note <text>", "why it is closed, what was found (kept in the record only)")
    .option("--by <who>", "who closes it (default: the OS user)")
    .option("--force", "close although checklist items are open (the record keeps which ones)")
    .option("--json", "print the closed record as JSON")
    .addHelpText(
      "after",
      [
        "",
        "Sets status closed, closedAt and closedBy in the JSON record, ticks \"Close the incident\", and",
        "re-writes the Markdown from it; an audit record (action incident-close) is written in the",
        "incident's environment. Refused while checklist items are open (tick them in the JSON:",
        "\"done\": true), unless --force; refused for a closed incident. Commit both files afterwards.",
      ].join("\n"),
    )
    .action(async (id: string, opts: { note?: string; by?: string; force?: boolean; json?: boolean }, cmd: Command) => {
      const options: Mapped<Omit<CloseIncidentOptions, "id">> = { ...projectFrom(cmd, ctx), note: opts.note, by: opts.by, force: opts.force };
      const r = await closeIncident({ ...options, id });
      if (opts.json || globalOptions(cmd).json) return outJson(ctx, r);
      out(ctx, `incident ${r.id}: closed at ${r.closedAt} by ${r.closedBy!.user}@${r.closedBy!.host}`);
      const open = r.openAtClose ?? [];
      if (open.length > 0) err(ctx, `hush: closed with ${open.length} item(s) still open (--force; the record lists them):\n${open.map((i) => `  [ ] ${i}`).join("\n")}`);
      out(ctx, `record: ${r.files.markdown} and ${r.files.json} (commit them)`);
    });
}

/** Asks on a TTY; without one, refuses (a script passes --yes). */
async function confirm(ctx: CliContext, question: string): Promise<void> {
  if (!ctx.stdin.isTTY) throw new HushError("INVALID_ARGUMENT", "hush incident asks for confirmation and stdin is not a terminal; pass --yes to go ahead.");
  const { createInterface } = await import("node:readline");
  const rl = createInterface({ input: ctx.stdin, output: ctx.stderr, terminal: true });
  try {
    const answer = await new Promise<string>((resolve) => rl.question(question, resolve));
    if (!/^y(es)?$/i.test(answer.trim())) throw new HushError("INVALID_ARGUMENT", "Cancelled; nothing was done.");
  } finally {
    rl.close();
  }
}

/** `0`, `90s`, `5m`, `1h` -> ms. */
function parseGrace(text: string): number {
  const m = /^(\d{1,6})(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new HushError("INVALID_ARGUMENT", "--grace takes a duration: 0, 30s, 5m or 1h.");
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? "s") as "ms" | "s" | "m" | "h"];
}

function report(ctx: CliContext, r: IncidentListing): void {
  out(ctx, `incident ${r.id}: ${r.name} (${r.environment}), ${r.secret.source} version ${r.secret.version ?? "-"}, in use since ${r.secret.since ?? "unknown"}`);
  for (const d of r.done.slice(0, -3)) out(ctx, d);
  const l = r.leaks;
  out(ctx, `leaks: ${l.leaks.length} place(s)${l.gitHistorySearched ? "" : " (no git history searched)"}`);
  for (const k of l.leaks) out(ctx, `  ${k.origin === "history" ? `commit ${k.commit!.slice(0, 12)} ` : ""}${k.path}:${k.line}:${k.column} (${k.encoding})`);
  for (const i of l.issues) err(ctx, `hush: not scanned: ${i.path} (${i.code}); the search is incomplete`);
  const i = r.impact;
  if (i.status === "unknown") out(ctx, `reads of the compromised version: UNKNOWN (not zero): the audit trail (${i.trail}) could not be read: ${i.error!.code}: ${i.error!.message}`);
  else out(ctx, `reads of the compromised version: ${i.unreadableLines ? "at least " : ""}${i.reads} by ${i.readers.length} process(es), ${i.failedReads} denied or failed`);
  if (i.unreadableLines) err(ctx, `hush: warning: ${describeUnreadableLines(i.unreadableLines, i.trail)}`);
  for (const p of i.readers) out(ctx, `  ${p.user}@${p.host} pid ${p.pid} (${p.command}): ${p.reads} read(s), ${p.firstRead} .. ${p.lastRead}`);
  out(ctx, "left for a person:");
  for (const c of r.checklist.filter((c) => !c.done)) out(ctx, `  [ ] ${c.item}`);
  out(ctx, `record: ${r.files.markdown} and ${r.files.json} (commit them; they hold no value)`);
}
