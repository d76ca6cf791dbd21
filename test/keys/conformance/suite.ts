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
import { afterEach, describe, expect, it } from "vitest";
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
  describe(`${KEY_CONFORMANCE_PREFIX}${type}`, () => {
    let cleanup: (() => Promise<void>) | undefined;
    afterEach(async () => {
      await cleanup?.();
      cleanup = undefined;
    });
    async function fresh(): Promise<KeyConformanceInstance> {
      const instance = await harness.create();
      cleanup = instance.cleanup;
      return instance;
    }

    it("contract: the provider is of its type; every missing capability, and only those, is a declared skip; a read-only save refuses", async () => {
      await checkKeyProviderContract(type, await fresh(), skips);
    });

    for (const c of KEY_CONFORMANCE_CASES) {
      const reason = skips[c.id];
      if (reason) it.skip(`${c.id}: ${c.title} — skipped: ${reason}`, () => undefined);
      else
        it(`${c.id}: ${c.title}`, async () => {
          const instance = await fresh();
          if (c.requires && !c.requires.present(instance)) throw new Error(`${type} lacks ${c.requires.what}: declare skips.${c.id} with the reason`);
          await c.run(caseContext(instance));
        });
    }
  });
}

/** The `contract` case: exported so the meta-test can show it fails on a wrong declaration. */
export async function checkKeyProviderContract(type: string, instance: KeyConformanceInstance, skips: Partial<Record<KeyConformanceCase, string>>): Promise<void> {
  const { provider } = instance;
  expect(provider.type, "provider.type is the type hush.yaml names").toBe(type);
  expect(provider.location().provider, "location().provider is the type").toBe(type);
  for (const method of ["location", "exists", "load", "save"] as const) expect(typeof provider[method], `provider.${method}`).toBe("function");
  for (const c of KEY_CONFORMANCE_CASES) {
    if (!c.requires) continue;
    const present = c.requires.present(instance);
    if (skips[c.id]) expect(present, `skips.${c.id} is declared, but the provider has ${c.requires.what}: run the case`).toBe(false);
    else expect(present, `the provider lacks ${c.requires.what}: declare skips.${c.id} with the reason`).toBe(true);
  }
  if (instance.readOnly) {
    expect(instance.store, "a read-only provider's harness stores keys through store()").toBeTypeOf("function");
    const ctx = caseContext(instance);
    ctx.expectKeyError(await rejectionOf(provider.save(ctx.newKey()), "save of a read-only provider"), "READ_ONLY");
  }
}
