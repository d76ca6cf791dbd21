/**
 * Human output of a scan: one line per finding, `path:line:col  rule-or-secret  preview`,
 * and a one-line summary. JSON output is the result itself (it holds no values).
 */
import type { ScanFinding, ScanIssue, ScanResult } from "../index.js";

/** One line for a finding. */
export function formatFinding(f: ScanFinding): string {
  const what = f.kind === "managed" ? `managed:${f.secretName}${f.environment ? `  env:${f.environment}` : ""}` : f.ruleId;
  const preview = f.kind === "managed" ? (f.encoding && f.encoding !== "plain" ? `(${f.encoding})` : "") : f.preview;
  const where = `${f.path}:${f.line}:${f.column}`;
  const commit = f.commit ? `  (commit ${f.commit.slice(0, 12)})` : "";
  const severity = f.severity ? `  [${f.severity}]` : "";
  return `${where}  ${what}${preview ? "  " + preview : ""}${commit}${severity}`;
}

/** One line for a file that could not be scanned. */
export function formatIssue(i: ScanIssue): string {
  return `hush: ${i.path}: ${i.message}`;
}

/** The summary line, for stderr. */
export function formatSummary(r: ScanResult): string {
  const mb = (r.stats.bytes / 1e6).toFixed(1);
  const n = r.findings.length;
  const head = n === 0 ? "no secrets found" : `${n} finding${n === 1 ? "" : "s"}`;
  const binary = r.stats.skippedBinary > 0 ? `, ${r.stats.skippedBinary} binary skipped` : "";
  const baselined = r.baselined ? `, ${r.baselined} accepted by the baseline` : "";
  const skipped = `${binary}${baselined}${r.issues.length > 0 ? `, ${r.issues.length} not scanned` : ""}`;
  return `hush scan: ${head} in ${r.stats.files} file${r.stats.files === 1 ? "" : "s"} (${mb} MB, ${r.stats.durationMs} ms${skipped})`;
}

/** A one-line progress bar, `width` cells wide. */
export function formatProgress(done: number, total: number, width = 30): string {
  const ratio = total === 0 ? 1 : Math.min(1, done / total);
  const filled = Math.round(ratio * width);
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total} files`;
}
