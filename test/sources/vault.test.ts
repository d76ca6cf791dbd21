/** The `vault` source passes the conformance suite against the Vault fake (test/fakes/vault.ts). */
import { describeSourceConformance } from "./conformance/suite.js";
import { PREFIX, setupVault } from "./vault/harness.js";

describeSourceConformance(
  "vault",
  {
    async create() {
      const t = await setupVault();
      const { vault } = t;
      return {
        source: t.source,
        seed: async (values) => t.seed(values),
        breakIt: async () => void (vault.sealed = true),
        faults: {
          deny: async (name) => vault.deny(`secret/data/${PREFIX}/${name}`),
          deleteLatest: async (name) => void vault.kv().mark(`${PREFIX}/${name}`, "delete"),
          rateLimit: async (seconds) => void vault.server.faults.push({ status: 429, headers: { "retry-after": String(seconds) } }),
          serverErrors: async (count) => {
            if (count === Infinity) vault.server.alwaysFault = { status: 502 };
            else for (let i = 0; i < count; i++) vault.server.faults.push({ status: [500, 502, 503][i % 3]! });
          },
          slow: async () => void (vault.server.alwaysFault = { delayMs: 1500 }),
          malformed: async () => void (vault.server.alwaysFault = { malformed: true }),
          expireToken: async () => {
            for (const token of vault.tokens.keys()) if (token !== vault.rootToken) vault.expireToken(token);
            return "relogin";
          },
          heal: async () => {
            vault.server.alwaysFault = undefined;
            vault.server.faults.length = 0;
          },
        },
        cleanup: t.cleanup,
      };
    },
  },
  {
    skips: {
      setMany: "Vault has no multi-key transaction: a batch could not be all or nothing, so the manager writes name by name",
    },
  },
);
