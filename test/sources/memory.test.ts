/** The in-memory source of the manager tests passes the same suite as every real source. */
import { HushError } from "../../src/errors.js";
import { createMemorySource } from "../helpers/memory-source.js";
import { describeSourceConformance, noRemoteBackend } from "./conformance/suite.js";

describeSourceConformance(
  "memory",
  {
    async create() {
      const source = createMemorySource("memory");
      return {
        source,
        async seed(values) {
          for (const [name, value] of Object.entries(values)) await source.set(name, value);
        },
        async breakIt() {
          source.failWith = new HushError("SOURCE_UNAVAILABLE", "The memory source is down (test).", { source: "memory" });
        },
        faults: source.faults,
        async cleanup() {},
      };
    },
  },
  {
    skips: {
      ...noRemoteBackend("an in-memory map"),
      setMany: "the manager tests use this source for the one-by-one write path (the manager falls back to set per name)",
      getMany: "the manager tests use this source for the name-by-name path (no getMany)",
      watch: "no change notification: nothing outside the process writes to it",
      dispose: "holds no connection or watcher to release",
    },
  },
);
