/**
 * The Markdown form of an incident record: what happened, what hush did, where the value leaked,
 * who read it, and the checklist left for a person. Built from the record only, so it can hold
 * no more than the JSON does (no value).
 */
import type { IncidentRecord } from "./incident-record.js";
import { describeUnreadableLines } from "../audit/unreadable-lines.js";

/** The record as a Markdown document. */
export function renderIncidentMarkdown(r: IncidentRecord): string {
  const s = r.secret;
  const lines = [
    `# Incident ${r.id}: \`${r.name}\` compromised`,
    "",
    `- Status: **${r.status}**`,
    `- Environment: ${r.environment}`,
    `- Opened: ${r.openedAt} by ${r.openedBy.user}@${r.openedBy.host}`,
    ...(r.status === "closed" && r.closedAt && r.closedBy ? [`- Closed: ${r.closedAt} by ${r.closedBy.user}@${r.closedBy.host}`] : []),
    `- Source: ${s.source}, version ${s.version ?? "(not versioned)"}, in use since ${s.since ?? "unknown"}`,
    `- Owner: ${s.owner ?? "none named in hush.yaml"}`,
    ...(s.provider ? [`- Provider: ${s.provider.displayName} (keys: ${s.provider.keysPage}; usage: ${s.provider.usageDashboard})`] : []),
    "",
    "## What hush did",
    "",
    ...r.done.map((d) => `- ${d}`),
    "",
    ...leakSection(r),
    "",
    ...impactSection(r),
    "",
    "## Checklist",
    "",
    ...r.checklist.map((c) => `- [${c.done ? "x" : " "}] ${c.item}`),
    "",
    ...closeSection(r),
    "No secret value is written in this record.",
    "",
  ];
  return lines.join("\n");
}

// --- internal ---

function leakSection(r: IncidentRecord): string[] {
  const l = r.leaks;
  const head = ["## Where the value leaked", ""];
  const scope = `Searched: the working tree${l.gitHistorySearched ? " and every commit of the git history" : " (not a git repository with commits: no history searched)"}, in plain, base64, base64url, URL and hex forms.`;
  const issues = l.issues.length === 0 ? [] : ["", `Not scanned (${l.issues.length}): ${l.issues.map((i) => `${i.path} (${i.code})`).join(", ")}. The search is incomplete.`];
  if (l.leaks.length === 0) return [...head, scope, "", "Not found.", ...issues];
  const table = ["| where | path | line | form | commit |", "| --- | --- | --- | --- | --- |", ...l.leaks.map((k) => `| ${k.origin === "history" ? "git history" : "working tree"} | ${cell(k.path)} | ${k.line} | ${k.encoding} | ${k.commit ?? ""} |`)];
  return [...head, scope, "", ...table, ...issues];
}

function impactSection(r: IncidentRecord): string[] {
  const i = r.impact;
  const head = ["## Who read the compromised version (audit trail)", ""];
  if (i.status === "unknown") return [...head, `**Unknown**: the audit trail (${i.trail}) could not be read: ${i.error!.code}: ${i.error!.message} This is not "no readers": find them once the trail is back.`];
  const summary = `${i.unreadableLines ? "At least " : ""}${i.reads} served read${i.reads === 1 ? "" : "s"} by ${i.readers.length} process${i.readers.length === 1 ? "" : "es"} (${i.actors.join(", ") || "nobody"}) since ${i.since ?? "the start of the log"}; ${i.failedReads} denied or failed, ${i.writes} write${i.writes === 1 ? "" : "s"} of the name.`;
  const flagged = i.unreadableLines ? [summary, "", `**${i.unreadableLines.count > 0 ? "Lower bound" : "Note"}**: ${describeUnreadableLines(i.unreadableLines, i.trail)}.`] : [summary];
  if (i.readers.length === 0) return [...head, ...flagged];
  const table = ["| user@host | pid | command | reads | first | last |", "| --- | --- | --- | --- | --- | --- |", ...i.readers.map((p) => `| ${cell(`${p.user}@${p.host}`)} | ${p.pid} | ${cell(p.command)} | ${p.reads} | ${p.firstRead} | ${p.lastRead} |`)];
  return [...head, ...flagged, "", ...table];
}

function closeSection(r: IncidentRecord): string[] {
  const open = r.openAtClose ?? [];
  const forced = open.length === 0 ? [] : [`Closed with ${open.length} item${open.length === 1 ? "" : "s"} still open (--force):`, "", ...open.map((i) => `- ${i}`), ""];
  // The note is quoted line by line, so no line of it can start a heading or a list of the record.
  const note = r.closeNote === undefined ? [] : ["Note:", "", ...r.closeNote.split("\n").map((l) => `> ${l}`.trimEnd()), ""];
  return forced.length + note.length === 0 ? [] : ["## Closing", "", ...forced, ...note];
}

/** A table cell: pipes and newlines cannot break the table. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/[\r\n]+/g, " ");
}
