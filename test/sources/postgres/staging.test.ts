// The postgres source's pending stage runs the staging conformance suite (../conformance/staging.ts):
// stage keeps current, promote moves the labels atomically (one transaction, a retried one after a
// lost COMMIT reply answers the same), two stages of one name from two handles give one success
// and one ROTATION_IN_PROGRESS, and a write after the stage makes promote refuse.
import { describeStagingConformance } from "../conformance/staging.js";
import { postgresFixture } from "./fixture.js";

const fx = postgresFixture();

describeStagingConformance(
  "postgres",
  {
    async create() {
      const store = fx.store(); // a fresh environment (and key) per instance
      const source = fx.source(store);
      return {
        source,
        another: () => fx.source(store), // a second handle: another process on the same database
        seed: async (name, value) => void (await fx.source(store).set(name, value)),
        replyCanBeLost: true,
        serializesStages: true,
        cleanup: async () => undefined, // the fixture disposes its sources and drops the schema
      };
    },
  },
  {
    skips: {
      raceStage: "stage locks the secret's row (FOR UPDATE) from its check to its write: there is no window to overtake it (concurrentStages runs two stages at once)",
      cutPromote: "promote is one transaction: no step to cut between (a lost COMMIT reply is promoteRetry)",
      unavailable: "the suite's faults are an HTTP backend's; an unreachable PostgreSQL (SOURCE_UNAVAILABLE, never 'not found') is in test/sources/postgres/faults.test.ts",
    },
  },
);
