/**
 * The runner the conformance suites share (test/sources/conformance/suite.ts,
 * test/sources/conformance/staging.ts, test/keys/conformance/suite.ts): one describe block titled
 * `<prefix><type>` (the meta-tests read results by it), a fresh instance per test cleaned up after
 * it, the `contract` test first, then every case in order, titled `<case>: <what it checks>`, or
 * skipped as `<case>: <what> — skipped: <reason>` when the suite's user declared a skip.
 *
 * @example
 * describeConformance({ prefix: "source conformance: ", type, harness, cases, skips, contract, run: (c, i) => c.run(i) });
 */
import { afterEach, describe, expect, it } from "vitest";

/** What the runner needs of a case: its id, title and, when it needs a capability, which. */
export interface RunnerCase<I> {
  id: string;
  title: string;
  requires?: { what: string; present(instance: I): boolean };
}

/** One suite for one type: its cases, the user's skips, its contract and how a case runs. */
export interface ConformanceRun<I extends { cleanup(): Promise<void> }, C extends RunnerCase<I>> {
  /** The describe block's prefix: "source conformance: ". */
  prefix: string;
  /** The type under test (hush.yaml's name for it), after the prefix. */
  type: string;
  harness: { create(): Promise<I> };
  cases: readonly C[];
  /** Cases this type does not run, each with its reason (shown in the test output). */
  skips: Partial<Record<string, string>>;
  /** The `contract` test (never skipped): its full title and its check of a fresh instance. */
  contract: { title: string; check(instance: I): Promise<void> | void };
  /** Runs one case on a fresh instance. */
  run(c: C, instance: I): Promise<void>;
}

/** Describes one type's suite: the contract, then each case or its declared skip. */
export function describeConformance<I extends { cleanup(): Promise<void> }, C extends RunnerCase<I>>(suite: ConformanceRun<I, C>): void {
  const { type, skips } = suite;
  describe(`${suite.prefix}${type}`, () => {
    let cleanup: (() => Promise<void>) | undefined;
    afterEach(async () => {
      await cleanup?.();
      cleanup = undefined;
    });
    async function fresh(): Promise<I> {
      const instance = await suite.harness.create();
      cleanup = instance.cleanup;
      return instance;
    }

    it(suite.contract.title, async () => {
      await suite.contract.check(await fresh());
    });

    for (const c of suite.cases) {
      const reason = skips[c.id];
      if (reason) it.skip(`${c.id}: ${c.title} — skipped: ${reason}`, () => undefined);
      else
        it(`${c.id}: ${c.title}`, async () => {
          const instance = await fresh();
          if (c.requires && !c.requires.present(instance)) throw new Error(`${type} lacks ${c.requires.what}: declare skips.${c.id} with the reason`);
          await suite.run(c, instance);
        });
    }
  });
}

/**
 * The contract's skip check: every capability `who` (the source, harness or provider) lacks is a
 * declared skip, and every declared skip is of a capability it lacks.
 */
export function expectDeclaredSkips<I>(cases: readonly RunnerCase<I>[], instance: I, skips: Partial<Record<string, string>>, who: string): void {
  for (const c of cases) {
    if (!c.requires) continue;
    const has = c.requires.present(instance);
    if (skips[c.id]) expect(has, `skips.${c.id} is declared, but the ${who} has ${c.requires.what}: run the case`).toBe(false);
    else expect(has, `the ${who} lacks ${c.requires.what}: declare skips.${c.id} with the reason`).toBe(true);
  }
}
