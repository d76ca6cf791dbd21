/**
 * The meta-test of the staging conformance suite (./conformance/staging.ts): every registered
 * source type whose instances can stage (`stage`, `getPending`, `promote`, `discardPending`) has a
 * test file that runs `describeStagingConformance("<type>", ...)`, and every such suite passes with
 * each skip declared with its reason. Whether a type can stage is asked of the type itself: an
 * instance is made from its descriptor with each of its boolean options off and on (a capability
 * may be opt-in, as gcp's and vault's `rotation: true`), offline (sources connect lazily).
 * The suites run in a child vitest (./conformance/run-suites.ts); one line per type is printed.
 * The same types run `hush rotate` on the source's shared suite (test/rotation/conformance/staging-source.ts).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseOptions } from "../../src/config/options-schema.js";
import type { SourceDescriptor } from "../../src/sources/descriptor.js";
import { listSourceTypes } from "../../src/sources/registry.js";
import { findConformanceTestFiles, runConformanceSuites, summaryLine } from "./conformance/run-suites.js";
import { STAGING_CASES, STAGING_PREFIX } from "./conformance/staging.js";

/** The least options each type needs to be made offline (never connected). A new type with required options adds its line. */
const PROBE_OPTIONS: Record<string, Record<string, unknown>> = {
  postgres: { url: "postgres://127.0.0.1:1/never-connected" },
  vault: { address: "http://127.0.0.1:1" },
  aws: { region: "us-east-1" },
  gcp: { project: "hush-probe" },
  kubernetes: { namespace: "default" },
};
const STAGING_METHODS = ["stage", "getPending", "promote", "discardPending"] as const;

describe("staging conformance meta-test", () => {
  it("every registered source type whose instances can stage runs the whole staging suite and passes it; skips carry reasons", { timeout: 300_000 }, async () => {
    const canStage = await typesThatCanStage();
    expect([...canStage].sort(), "the probe finds the built-in types that stage").toEqual(expect.arrayContaining(["aws", "gcp", "local", "postgres", "vault"]));
    const byType = runConformanceSuites(findConformanceTestFiles(undefined, "describeStagingConformance("), STAGING_PREFIX);
    process.stdout.write(`${[...byType].map(([type, cases]) => summaryLine("staging", type, cases)).join("\n")}\n`);

    for (const type of canStage) expect(byType.has(type), `source type "${type}" can stage but no test file runs describeStagingConformance("${type}", ...)`).toBe(true);
    const caseIds = ["contract", ...STAGING_CASES.map((c) => c.id)];
    for (const [type, cases] of byType) {
      expect(canStage.has(type), `staging suite "${type}" names no registered source type that can stage`).toBe(true);
      expect(cases.map((c) => c.id), `${type}: every case, once, in order`).toEqual(caseIds);
      expect(cases.filter((c) => c.status === "failed").map((c) => c.id), `${type}: failed cases`).toEqual([]);
      for (const c of cases.filter((c) => c.status === "skipped")) expect(c.reason, `${type}: the skip of "${c.id}" has a reason`).toMatch(/\S/);
      expect(cases.find((c) => c.id === "contract")?.status, `${type}: the contract case is never skipped`).toBe("passed");
    }
  });

  it("every registered source type whose instances can stage runs `hush rotate` on it (test/rotation/conformance/staging-source.ts)", async () => {
    const canStage = await typesThatCanStage();
    const texts = findConformanceTestFiles(undefined, "describeRotateOnSource(").map((f) => readFileSync(f, "utf8"));
    for (const type of canStage) {
      const call = new RegExp(`describeRotateOnSource\\(\\s*"${type}"`);
      expect(texts.some((t) => call.test(t)), `source type "${type}" can stage but no test file runs describeRotateOnSource("${type}", ...)`).toBe(true);
    }
  });
});

// --- internal ---

/** Registered types with an instance (some boolean option on or off) that has the four staging methods; all four or none. */
async function typesThatCanStage(): Promise<Set<string>> {
  const root = mkdtempSync(join(tmpdir(), "hush-staging-probe-"));
  try {
    const found = new Set<string>();
    for (const descriptor of listSourceTypes()) {
      for (const variant of variantsOf(descriptor)) {
        const source = await make(descriptor, variant, root);
        try {
          const present = STAGING_METHODS.filter((m) => typeof source[m] === "function");
          expect(present.length === 0 || present.length === STAGING_METHODS.length, `${descriptor.type} ${JSON.stringify(variant)}: the staging methods come together (has ${present.join(", ")})`).toBe(true);
          if (present.length) found.add(descriptor.type);
        } finally {
          await source.dispose?.();
        }
      }
    }
    return found;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** The type's probe options, then those with each boolean option turned the other way. */
function variantsOf(descriptor: SourceDescriptor): Record<string, unknown>[] {
  const base = PROBE_OPTIONS[descriptor.type] ?? {};
  const flips = Object.entries(descriptor.options)
    .filter(([, field]) => field.docType === "boolean")
    .map(([key, field]) => ({ ...base, [key]: field.default !== true }));
  return [base, ...flips];
}

async function make(descriptor: SourceDescriptor, raw: Record<string, unknown>, root: string) {
  const problems: string[] = [];
  const options = parseOptions(descriptor.options, raw, ["options"], (path, message) => problems.push(`${path.join(".")}: ${message}`));
  expect(problems, `${descriptor.type}: the probe's options are not valid; give the type its least options in PROBE_OPTIONS`).toEqual([]);
  return descriptor.create(options, { root, secretsDir: join(root, ".secrets"), environment: "dev", env: {}, onWarning: () => undefined });
}
