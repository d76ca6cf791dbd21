/**
 * The meta-test of the source conformance suite: every source type in the registry has a test
 * file that runs `describeSourceConformance("<type>", ...)`, so a new source cannot skip it; every
 * suite passes with each skip declared with its reason. It runs the suites itself (a child vitest,
 * see ./conformance/run-suites.ts) and prints one line per source type, e.g.
 * `conformance local: 14 cases, 12 ran, 2 skipped (denied, deleted) — test/sources/local.test.ts`,
 * then each skip's reason.
 */
import { describe, expect, it } from "vitest";
import { listSourceTypes } from "../../src/sources/registry.js";
import { CONFORMANCE_CASES } from "./conformance/suite.js";
import { findConformanceTestFiles, runConformanceSuites, summaryLine } from "./conformance/run-suites.js";

/** Suites that run for something other than a registered type, and why. */
const NOT_REGISTERED: Record<string, string> = {
  memory: "test/helpers/memory-source.ts, the source of the manager tests",
  "kubernetes-volume": "the kubernetes type's volume mode (options.dir); the type's API mode runs as `kubernetes`",
};

describe("conformance meta-test", () => {
  it("every registered source type runs the whole suite and passes it; skips carry reasons", { timeout: 300_000 }, () => {
    const byType = runConformanceSuites(findConformanceTestFiles());
    const caseIds = ["contract", ...CONFORMANCE_CASES.map((c) => c.id)];
    const lines: string[] = [];
    for (const [type, cases] of byType) lines.push(summaryLine("conformance", type, cases, NOT_REGISTERED[type] ? ` [not a registered type: ${NOT_REGISTERED[type]}]` : ""));
    process.stdout.write(`${lines.join("\n")}\n`);

    for (const { type } of listSourceTypes()) {
      expect(byType.has(type), `source type "${type}" has no test file that runs describeSourceConformance("${type}", ...)`).toBe(true);
    }
    const registered = new Set(listSourceTypes().map((d) => d.type));
    for (const [type, cases] of byType) {
      expect(registered.has(type) || type in NOT_REGISTERED, `suite "${type}" names no registered source type`).toBe(true);
      expect(cases.map((c) => c.id), `${type}: every case, once, in order`).toEqual(caseIds);
      expect(cases.filter((c) => c.status === "failed").map((c) => c.id), `${type}: failed cases`).toEqual([]);
      for (const c of cases.filter((c) => c.status === "skipped")) expect(c.reason, `${type}: the skip of "${c.id}" has a reason`).toMatch(/\S/);
      expect(cases.find((c) => c.id === "contract")?.status, `${type}: the contract case is never skipped`).toBe("passed");
    }
  });
});
