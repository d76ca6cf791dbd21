/**
 * The local store's pending stage (docs/store-format.md, "Pending versions") runs the staging
 * conformance suite (./conformance/staging.ts): stage writes a version without moving current,
 * promote moves it atomically, a second stage is refused (also from another handle at the same
 * time), and a write in between makes promote refuse instead of rolling current back.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalSource } from "../../src/sources/local.js";
import { describeStagingConformance } from "./conformance/staging.js";

describeStagingConformance(
  "local",
  {
    async create() {
      const dir = mkdtempSync(join(tmpdir(), "hush-stage-"));
      const open = () => createLocalSource({ secretsDir: join(dir, ".secrets") });
      const source = open();
      return {
        source,
        another: open, // a second handle: another process on the same folder
        seed: async (name, value) => void (await open().set(name, value)),
        serializesStages: true,
        async cleanup() {
          await source.dispose();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    skips: {
      promoteRetry: "promote is one locked rewrite of a local file in this process: there is no reply to lose (a second promote finds nothing pending: ROTATION_IN_PROGRESS)",
      raceStage: "the store's lock is held from stage's check to its write: there is no window to overtake it (concurrentStages runs two stages at once)",
      cutPromote: "promote is one atomic rewrite (temp file, fsync, rename): no step to cut between (test/sources/local-crash.test.ts kills writers mid-write)",
      unavailable: "no remote backend: a local file has no 5xx or throttling (disk faults: test/sources/disk-faults.test.ts)",
    },
  },
);
