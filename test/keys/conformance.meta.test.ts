/**
 * The meta-test of the key-provider conformance suite:
 * - every key provider type in the registry has a test file that runs
 *   `describeKeyProviderConformance("<type>", ...)`, so a new provider cannot skip the suite;
 * - the suite can fail: each deliberate bug of the memory provider (test/helpers) is caught by the
 *   case meant for it, and the contract case refuses a skip declared for a capability that exists
 *   and a capability missing without a skip.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { listKeyProviderTypes } from "../../src/keys/registry.js";
import { caseContext, KEY_CONFORMANCE_CASES, type SkippableKeyCase } from "./conformance/cases.js";
import { checkKeyProviderContract } from "./conformance/suite.js";
import type { KeyConformanceInstance } from "./conformance/harness.js";
import { createMemoryKeyBackend, createMemoryKeyProvider, type MemoryKeyBugs } from "../helpers/memory-key-provider.js";

const TEST_DIR = fileURLToPath(new URL("../", import.meta.url));

describe("key provider conformance meta-test", () => {
  it("every registered key provider type has a test file that runs the suite", () => {
    const texts = testFiles(TEST_DIR).map((f) => readFileSync(f, "utf8"));
    for (const { type } of listKeyProviderTypes()) {
      expect(
        texts.some((t) => new RegExp(`describeKeyProviderConformance\\(\\s*"${type}"`).test(t)),
        `key provider "${type}" has no test file that runs describeKeyProviderConformance("${type}", ...)`,
      ).toBe(true);
    }
  });

  const caught: [keyof MemoryKeyBugs, SkippableKeyCase][] = [
    ["noCache", "cached"],
    ["overwrite", "refuseOverwrite"],
    ["missingOnFailure", "denied"],
    ["missingOnFailure", "unreachable"],
    ["keyInMessage", "refuseOverwrite"],
    ["keyInMessage", "leak"],
    ["staleAfterReplace", "replace"],
  ];
  for (const [bug, id] of caught) {
    it(`the ${id} case fails for a provider with the bug ${bug}`, async () => {
      const c = KEY_CONFORMANCE_CASES.find((x) => x.id === id)!;
      await expect(c.run(caseContext(memoryInstance({ [bug]: true })))).rejects.toThrow();
      await c.run(caseContext(memoryInstance({}))); // and passes without it
    });
  }

  it("the contract case fails for a skip declared for a capability the provider has, and for a missing skip", async () => {
    await checkKeyProviderContract("memory", memoryInstance({}), {});
    await expect(checkKeyProviderContract("memory", memoryInstance({}), { denied: "pretend" })).rejects.toThrow(/skips.denied is declared/);
    const lacking = memoryInstance({});
    delete lacking.faults!.deny;
    await expect(checkKeyProviderContract("memory", lacking, {})).rejects.toThrow(/declare skips.denied/);
    await expect(checkKeyProviderContract("other", memoryInstance({}), {})).rejects.toThrow(/type/);
  });
});

// --- internal ---

function memoryInstance(bugs: MemoryKeyBugs): KeyConformanceInstance {
  const backend = createMemoryKeyBackend();
  return {
    provider: createMemoryKeyProvider(backend, bugs),
    reopen: () => createMemoryKeyProvider(backend, bugs),
    calls: () => backend.calls,
    faults: {
      wrongKey: async () => void (backend.kek = randomBytes(32)),
      corrupt: async () => void (backend.blob = backend.blob!.subarray(0, 20)),
      laxPermissions: async () => void (backend.state = "lax"),
      deny: async () => void (backend.state = "denied"),
      unreachable: async () => void (backend.state = "unreachable"),
    },
    cleanup: async () => undefined,
  };
}

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== "fixtures") out.push(...testFiles(path));
    else if (entry.name.endsWith(".test.ts") && entry.name !== "conformance.meta.test.ts") out.push(path);
  }
  return out;
}
