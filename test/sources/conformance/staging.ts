/**
 * The one staging (zero-downtime rotation) conformance suite every source that can stage passes
 * (src/types.ts: `stage`, `getPending`, `promote`, `discardPending`; docs/rotation.md). A staging
 * source's test file calls `describeStagingConformance(type, harness, { skips })` with its hush.yaml
 * `type`; the suite runs every case of `./staging-cases.ts`, in order, as one test each, titled
 * `<case>: <what it checks>`, and the file adds its own source-specific tests beside it.
 *
 * Skips are the only way out, and they are written down: a case needs something of the harness
 * (a promote whose reply can be lost, a cut between promote's steps, backend faults...); without
 * it the source declares `skips.<case>` with its reason. The `contract` case (never skipped) fails
 * when the source lacks one of the four methods, when a harness lacks what a case needs without a
 * declared skip, or when a skip is declared for a case the harness can run.
 *
 * `test/sources/staging-conformance.meta.test.ts` runs every suite and checks that each registered
 * source type whose instances can stage has one.
 */
import { expect } from "vitest";
import { describeConformance, expectDeclaredSkips } from "../../helpers/conformance-runner.js";
import { STAGING_CASES, type StagingSkippableCase } from "./staging-cases.js";
import type { StagingHarness, StagingInstance } from "./staging-harness.js";

export { expectStagingRefusal, STAGING_CASES, STAGING_NAME, STAGING_VALUES, type StagingSkippableCase } from "./staging-cases.js";
export type { BackendMoment, RaceOutcome, StagingHarness, StagingInstance, StagingSource } from "./staging-harness.js";

/** Options of {@link describeStagingConformance}. */
export interface StagingConformanceOptions {
  /** Cases this source does not run, each with its reason (shown in the test output). */
  skips?: Partial<Record<StagingSkippableCase, string>>;
}

/** The describe block's title for a source type; the meta-test reads results by it. */
export const STAGING_PREFIX = "staging conformance: ";

/**
 * Describes the staging conformance suite for one source type.
 *
 * @example
 * describeStagingConformance("local", { create: async () => ({ source, another, seed, cleanup }) }, { skips: { cutPromote: "one atomic rewrite" } });
 */
export function describeStagingConformance(type: string, harness: StagingHarness, options: StagingConformanceOptions = {}): void {
  const skips: Partial<Record<string, string>> = options.skips ?? {};
  describeConformance({
    prefix: STAGING_PREFIX,
    type,
    harness,
    cases: STAGING_CASES,
    skips,
    contract: {
      title: "contract: stage, getPending, promote and discardPending (with versions and set) all present; every case the harness cannot run, and only those, is a declared skip",
      check(instance: StagingInstance) {
        for (const m of ["stage", "getPending", "promote", "discardPending", "versions", "set"] as const) expect(typeof instance.source[m], `the source has ${m}`).toBe("function");
        expectDeclaredSkips(STAGING_CASES, instance, skips, "harness");
      },
    },
    run: (c, instance) => c.run(instance),
  });
}
