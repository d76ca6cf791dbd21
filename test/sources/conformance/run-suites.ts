/**
 * Runs every source's conformance suite (or staging conformance suite) in a child vitest (JSON
 * reporter) and reads back, per source type, what each case did. Used by
 * test/sources/conformance.meta.test.ts and test/sources/staging-conformance.meta.test.ts: the
 * counts they print come from a real run, so they cannot drift from the suites.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { CONFORMANCE_PREFIX } from "./suite.js";

/** The repository root. */
export const REPO = fileURLToPath(new URL("../../../", import.meta.url));

/** One case of one source's suite, as the run reported it. */
export interface CaseOutcome {
  /** The case id (`values`, `write`, ...): the title up to its first colon. */
  id: string;
  status: "passed" | "failed" | "skipped";
  /** The declared reason, for a skipped case. */
  reason?: string;
  /** The file that ran it, relative to the repository. */
  file: string;
}

/** Test files (under `dir`) whose text calls `call` (`describeSourceConformance(`), the meta-tests (`*.meta.test.ts`) left out. */
export function findConformanceTestFiles(dir = join(REPO, "test"), call = "describeSourceConformance("): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findConformanceTestFiles(path, call));
    else if (entry.name.endsWith(".test.ts") && !entry.name.endsWith(".meta.test.ts") && readFileSync(path, "utf8").includes(call)) found.push(path);
  }
  return found.sort();
}

/**
 * Runs the suites of `files` (only their `<prefix><type>` blocks: `source conformance: <type>` by
 * default) and returns each type's cases. Throws when the child run did not produce a report.
 */
export function runConformanceSuites(files: string[], prefix = CONFORMANCE_PREFIX): Map<string, CaseOutcome[]> {
  const work = mkdtempSync(join(tmpdir(), "hush-conformance-meta-"));
  try {
    const report = join(work, "report.json");
    const args = ["node_modules/vitest/vitest.mjs", "run", "--config", "test/sources/conformance/run.config.ts", "--reporter=json", `--outputFile=${report}`, "-t", `^${prefix}`, ...files.map((f) => relative(REPO, f))];
    const child = spawnSync(process.execPath, args, { cwd: REPO, env: childEnv(work), encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    let parsed: JsonReport;
    try {
      parsed = JSON.parse(readFileSync(report, "utf8")) as JsonReport;
    } catch {
      throw new Error(`the child vitest run wrote no report (exit ${String(child.status)}):\n${child.stdout}\n${child.stderr}`);
    }
    return outcomesByType(parsed, prefix);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * `conformance local: 14 cases, 12 ran, 2 skipped (denied, deleted) — test/sources/local.test.ts`
 * (`label` first: `conformance`, `staging`), then one indented line per skip with its reason.
 * Never a bare "N passed, N failed" line (CI reads such a line as the run's closing line).
 */
export function summaryLine(label: string, type: string, cases: CaseOutcome[], note = ""): string {
  const ran = cases.filter((c) => c.status !== "skipped");
  const skipped = cases.filter((c) => c.status === "skipped");
  const failed = ran.filter((c) => c.status === "failed");
  const files = [...new Set(cases.map((c) => c.file))].join(", ");
  const failing = failed.length ? ` (${failed.length} of them failing: ${failed.map((c) => c.id).join(", ")})` : "";
  const skippedIds = skipped.length ? ` (${skipped.map((c) => c.id).join(", ")})` : "";
  const reasons = skipped.map((c) => `\n    skipped ${c.id}: ${c.reason ?? "no reason given"}`).join("");
  return `${label} ${type}: ${cases.length} cases, ${ran.length} ran${failing}, ${skipped.length} skipped${skippedIds} — ${files}${note}${reasons}`;
}

// --- internal ---

interface JsonReport {
  testResults: { name: string; assertionResults: { ancestorTitles: string[]; title: string; status: string }[] }[];
}

/** The parent's environment without vitest's own variables (the child is a run of its own). */
function childEnv(work: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(VITEST|TINYPOOL)/.test(k)) env[k] = v;
  return { ...env, HUSH_CONFORMANCE_RUN_DIR: join(work, "cache"), NO_COLOR: "1" };
}

function outcomesByType(report: JsonReport, prefix: string): Map<string, CaseOutcome[]> {
  const byType = new Map<string, CaseOutcome[]>();
  for (const file of report.testResults) {
    for (const t of file.assertionResults) {
      const block = t.ancestorTitles[0];
      if (!block?.startsWith(prefix)) continue;
      const type = block.slice(prefix.length);
      const skipped = / — skipped: (.*)$/.exec(t.title);
      const status = t.status === "passed" ? "passed" : t.status === "failed" ? "failed" : "skipped";
      const outcome: CaseOutcome = { id: t.title.slice(0, t.title.indexOf(":")), status, file: relative(REPO, file.name) };
      if (status === "skipped" && skipped) outcome.reason = skipped[1];
      byType.set(type, [...(byType.get(type) ?? []), outcome]);
    }
  }
  return byType;
}
