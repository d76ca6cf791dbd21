/**
 * The one conformance suite every source passes. A source's test file calls
 * `describeSourceConformance(type, harness, { skips })` with its hush.yaml `type`; the suite runs
 * every case of `./cases.ts`, in order, as one test each, titled `<case>: <what it checks>`.
 *
 * Skips are the only way out, and they are written down:
 * - a source without a capability (`getMany`, `set`/`delete`, `setMany`, `versions`, `watch`, `dispose`,
 *   a way to make the backend deny or delete) must declare `skips.<case>` with its reason, and
 *   the case shows in the output as `<case>: … — skipped: <reason>`;
 * - the `contract` case (never skipped) fails when a capability is missing without a declared
 *   skip, when a skip is declared for a capability the source has, or when a source has only
 *   one of `set` and `delete`, or `setMany` without `set`.
 *
 * `test/sources/conformance.meta.test.ts` runs every suite and checks that each source type in
 * the registry has one; it prints each type's count of cases run and skipped.
 */
import { expect } from "vitest";
import { describeConformance, expectDeclaredSkips } from "../../helpers/conformance-runner.js";
import { CONFORMANCE_CASES, CONFORMANCE_VALUES, noRemoteBackend, REMOTE_FAULT_CASES, type ConformanceCase, type SkippableCase } from "./cases.js";
import type { ConformanceHarness, ConformanceInstance } from "./harness.js";

export { CONFORMANCE_CASES, CONFORMANCE_VALUES, noRemoteBackend, REMOTE_FAULT_CASES, type ConformanceCase, type SkippableCase };
export type { ConformanceHarness, ConformanceInstance };

/** Options of {@link describeSourceConformance}. */
export interface ConformanceOptions {
  /** Cases this source does not run, each with its reason (shown in the test output). */
  skips?: Partial<Record<SkippableCase, string>>;
}

/** The describe block's title for a source type; the meta-test reads results by it. */
export const CONFORMANCE_PREFIX = "source conformance: ";

/**
 * Describes the conformance suite for one source type.
 *
 * @example
 * describeSourceConformance("env", { create: async () => ({ source, seed, cleanup }) }, { skips: { write: "read-only: ..." } });
 */
export function describeSourceConformance(type: string, harness: ConformanceHarness, options: ConformanceOptions = {}): void {
  const skips: Partial<Record<ConformanceCase, string>> = options.skips ?? {};
  describeConformance({
    prefix: CONFORMANCE_PREFIX,
    type,
    harness,
    cases: CONFORMANCE_CASES,
    skips,
    contract: {
      title: "contract: set and delete both or neither; every missing capability, and only those, is a declared skip",
      check(instance: ConformanceInstance) {
        const { source } = instance;
        expect(typeof source.set === "function", "set and delete: both or neither").toBe(typeof source.delete === "function");
        if (typeof source.setMany === "function") expect(typeof source.set, "setMany only with set").toBe("function");
        expect(typeof source.name === "string" && source.name.length > 0, "a source has a name").toBe(true);
        expectDeclaredSkips(CONFORMANCE_CASES, instance, skips, "source");
      },
    },
    run: (c, instance) => c.run(instance),
  });
}
