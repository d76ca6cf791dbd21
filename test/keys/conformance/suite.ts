/**
 * The one conformance suite every key provider passes. A provider's test file calls
 * `describeKeyProviderConformance(type, harness, { skips })` with its hush.yaml `provider:` type;
 * the suite runs every case of `./cases.ts`, in order, as one test each, titled `<case>: <what>`.
 *
 * Skips are the only way out, and they are written down:
 * - a provider without a capability (saving, a fault the harness can cause, a call counter) must
 *   declare `skips.<case>` with its reason; the case shows as `<case>: … — skipped: <reason>`;
 * - the `contract` case (never skipped) fails when a capability is missing without a declared
 *   skip, when a skip is declared for a capability the provider has, when `type` or
 *   `location().provider` is not the type named, and when a read-only provider's `save` does not
 *   refuse with READ_ONLY.
 *
 * test/keys/conformance.meta.test.ts checks that every registered provider type has such a test.
 *
 * @example
 * describeKeyProviderConformance("file", { create: async () => ({ provider, reopen, faults, cleanup }) }, { skips: { denied: "..." } });
 */
import { expect } from "vitest";
import { describeConformance, expectDeclaredSkips } from "../../helpers/conformance-runner.js";
import { caseContext, KEY_CONFORMANCE_CASES, rejectionOf, type KeyConformanceCase, type SkippableKeyCase } from "./cases.js";
import type { KeyConformanceHarness, KeyConformanceInstance } from "./harness.js";

export { KEY_CONFORMANCE_CASES, type KeyConformanceCase, type SkippableKeyCase };
export type { KeyConformanceHarness, KeyConformanceInstance };

/** Options of {@link describeKeyProviderConformance}. */
export interface KeyConformanceOptions {
  /** Cases this provider does not run, each with its reason (shown in the test output). */
  skips?: Partial<Record<SkippableKeyCase, string>>;
}

/** The describe block's title for a provider type. */
export const KEY_CONFORMANCE_PREFIX = "key provider conformance: ";

/** Describes the conformance suite for one key provider type. */
export function describeKeyProviderConformance(type: string, harness: KeyConformanceHarness, options: KeyConformanceOptions = {}): void {
  const skips: Partial<Record<KeyConformanceCase, string>> = options.skips ?? {};
  describeConformance({
    prefix: KEY_CONFORMANCE_PREFIX,
    type,
    harness,
    cases: KEY_CONFORMANCE_CASES,
    skips,
    contract: {
      title: "contract: the provider is of its type; every missing capability, and only those, is a declared skip; a read-only save refuses",
      check: (instance: KeyConformanceInstance) => checkKeyProviderContract(type, instance, skips),
    },
    run: (c, instance) => c.run(caseContext(instance)),
  });
}

/** The `contract` case: exported so the meta-test can show it fails on a wrong declaration. */
export async function checkKeyProviderContract(type: string, instance: KeyConformanceInstance, skips: Partial<Record<KeyConformanceCase, string>>): Promise<void> {
  const { provider } = instance;
  expect(provider.type, "provider.type is the type hush.yaml names").toBe(type);
  expect(provider.location().provider, "location().provider is the type").toBe(type);
  for (const method of ["location", "exists", "load", "save"] as const) expect(typeof provider[method], `provider.${method}`).toBe("function");
  expectDeclaredSkips(KEY_CONFORMANCE_CASES, instance, skips, "provider");
  if (instance.readOnly) {
    expect(instance.store, "a read-only provider's harness stores keys through store()").toBeTypeOf("function");
    const ctx = caseContext(instance);
    ctx.expectKeyError(await rejectionOf(provider.save(ctx.newKey()), "save of a read-only provider"), "READ_ONLY");
  }
}
