/** Text and Markdown renderings of an {@link AccessReview} (JSON is the object itself). */
import type { AccessReview, UnusualAccess } from "./review.js";
import { formatTable, shortTime } from "./report.js";
import { describeUnreadableLines } from "./unreadable-lines.js";

/** Plain text for a terminal. */
export function formatReviewText(r: AccessReview): string {
  const out: string[] = [];
  out.push(`Access review, ${r.window.from.slice(0, 10)} to ${r.window.to.slice(0, 10)} (${r.window.days} days), ${r.secrets.length} secrets`);
  for (const s of sections(r)) {
    out.push("", `${s.title} (${s.rows.length})`);
    if (s.rows.length === 0) out.push("  none");
    else out.push(...formatTable(s.head, s.rows).trimEnd().split("\n").map((l) => `  ${l}`));
  }
  if (r.unknownIds > 0) out.push("", `${r.unknownIds} records in the window name secrets not listed by any source (deleted, or from another project).`);
  if (r.unreadableLines) out.push("", `${r.unreadableLines.count > 0 ? "Incomplete" : "Note"}: ${describeUnreadableLines(r.unreadableLines)}.`);
  return out.join("\n") + "\n";
}

/** Markdown, for pasting into a review ticket. */
export function formatReviewMarkdown(r: AccessReview): string {
  const out: string[] = [`# Access review ${r.window.from.slice(0, 10)} – ${r.window.to.slice(0, 10)}`, "", `${r.window.days} days, ${r.secrets.length} secrets reviewed.`];
  for (const s of sections(r)) {
    out.push("", `## ${s.title} (${s.rows.length})`, "");
    if (s.rows.length === 0) {
      out.push("None.");
      continue;
    }
    out.push(`| ${s.head.join(" | ")} |`, `| ${s.head.map(() => "---").join(" | ")} |`);
    for (const row of s.rows) out.push(`| ${row.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`);
  }
  if (r.unknownIds > 0) out.push("", `${r.unknownIds} records in the window name secrets not listed by any source.`);
  if (r.unreadableLines) out.push("", `**${r.unreadableLines.count > 0 ? "Incomplete" : "Note"}**: ${describeUnreadableLines(r.unreadableLines)}.`);
  return out.join("\n") + "\n";
}

// --- internal ---

interface Section {
  title: string;
  head: string[];
  rows: string[][];
}

function sections(r: AccessReview): Section[] {
  return [
    { title: "Unused secrets", head: ["SECRET", "LAST READ"], rows: r.unused.map((u) => [u.name, u.lastRead ? shortTime(u.lastRead) : "never (in the log)"]) },
    { title: "Missing owner or description", head: ["SECRET", "MISSING"], rows: r.missingMetadata.map((m) => [m.name, m.missing.join(", ")]) },
    {
      title: "Rotation overdue",
      head: ["SECRET", "TYPE", "POLICY", "LAST ROTATION", "OVERDUE"],
      rows: r.rotationOverdue.map((o) => [o.name, o.type ?? "-", `${o.policyDays} d`, shortTime(o.lastRotation), `${o.daysOverdue} d`]),
    },
    { title: "Rotation date unknown (no version history)", head: ["SECRET", "TYPE", "POLICY"], rows: r.rotationUnknown.map((o) => [o.name, o.type ?? "-", `${o.policyDays} d`]) },
    {
      title: "TLS certificates expiring soon",
      head: ["SECRET", "EXPIRES", "DAYS LEFT", "RENEW AT"],
      rows: (r.certificatesExpiring ?? []).map((c) => [c.name, shortTime(c.expires), `${c.daysLeft} d`, `${c.renewDays} d before`]),
    },
    { title: "Unusual access", head: ["SECRET", "KIND", "DETAIL"], rows: r.unusual.map((u) => [u.name, u.kind, describeUnusual(u)]) },
    { title: "Who accessed what in the window", head: ["SECRET", "ACTORS"], rows: Object.entries(r.actors).map(([name, actors]) => [name, actors.join(", ")]) },
  ];
}

function describeUnusual(u: UnusualAccess): string {
  return u.kind === "new-actor" ? `${u.actor} first seen ${shortTime(u.firstSeen)}` : `${u.count} reads on ${u.day} (baseline ${u.baseline}/day)`;
}
