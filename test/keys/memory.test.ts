/** The in-memory key provider (test/helpers) runs the whole suite, no case skipped: every case is exercised somewhere. */
import { randomBytes } from "node:crypto";
import { createMemoryKeyBackend, createMemoryKeyProvider } from "../helpers/memory-key-provider.js";
import { describeKeyProviderConformance } from "./conformance/suite.js";

describeKeyProviderConformance("memory", {
  async create() {
    const backend = createMemoryKeyBackend();
    return {
      provider: createMemoryKeyProvider(backend),
      reopen: () => createMemoryKeyProvider(backend),
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
  },
});
