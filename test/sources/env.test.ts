import { describe, expect, it } from "vitest";
import { createEnvSource } from "../../src/sources/env.js";
import { envName } from "../../src/names.js";
import { describeSourceConformance, noRemoteBackend } from "./conformance/suite.js";

describeSourceConformance(
  "env",
  {
    async create() {
      const env: NodeJS.ProcessEnv = {};
      return {
        source: createEnvSource({ env, listAll: true }),
        async seed(values) {
          for (const [k, v] of Object.entries(values)) env[envName(k)] = v;
        },
        async cleanup() {},
      };
    },
  },
  {
    skips: {
      ...noRemoteBackend("the process environment"),
      setMany: "read-only: no batch write",
      write: "read-only: hush never writes the process environment",
      versions: "the environment holds one value per variable",
      watch: "no change notification: the environment changes only inside the process",
      denied: "the process environment cannot refuse a read",
      deleted: "no versions: a variable is set or not",
      concurrent: "read-only: no set (the environment object is written synchronously, so no read can see half a value)",
      dispose: "holds no connection or watcher to release",
    },
  },
);

describe("env source", () => {
  it("reads the upper snake case variable of a name in either form", async () => {
    const s = createEnvSource({ env: { OPENAI_API_KEY: "k", DATABASE_CONFIG: "d" } });
    expect((await s.get("openai_api_key"))?.value).toBe("k");
    expect((await s.get("database.config"))?.location).toBe("$DATABASE_CONFIG");
  });
  it("lists nothing by default: it cannot tell secrets from PATH", async () => {
    expect(await createEnvSource({ env: { PATH: "/bin", OPENAI_API_KEY: "k" } }).list()).toEqual([]);
  });
});
