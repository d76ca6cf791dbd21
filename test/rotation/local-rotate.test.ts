/**
 * `hush rotate` (the library's rotateSecret) on the local store runs the rotate-on-a-staging-source
 * suite (./conformance/staging-source.ts): the new value is a pending version while reads serve the
 * old one, finish makes it current, a second rotation during the first is refused, a rotation cut
 * after its stage is finished by --resume (revoking the OLD value). Every rotator's own suite runs
 * on the local store too (./conformance/suite.ts); SIGKILL-then-resume is in crash-resume.test.ts.
 */
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalSource } from "../../src/sources/local.js";
import { describeRotateOnSource, ROTATE_NAME, ROTATE_VALUES } from "./conformance/staging-source.js";

describeRotateOnSource(
  "local",
  {
    async create() {
      const dir = realpathSync(mkdtempSync(join(tmpdir(), "hush-local-rotate-")));
      writeFileSync(join(dir, "hush.yaml"), "version: 1\nsources:\n  - type: local\n");
      const open = () => createLocalSource({ secretsDir: join(dir, ".secrets") }); // another process on the folder
      await open().set(ROTATE_NAME, ROTATE_VALUES.OLD);
      const valueOf = async (version: number) => (await open().getVersion(ROTATE_NAME, version))?.value;
      return {
        dir,
        served: async () => (await open().get(ROTATE_NAME))?.value,
        backend: {
          // Labels newest first, and the value of each stored version (a pending one is not among them).
          state: async () => ({ labels: (await open().versions(ROTATE_NAME)).map((v) => [v.version, v.labels]), values: [await valueOf(1), await valueOf(2)], pending: (await open().getPending(ROTATE_NAME))?.value }),
          staged: (value) => ({ labels: [[2, ["pending"]], [1, ["current"]]], values: [ROTATE_VALUES.OLD, undefined], pending: value }),
          promoted: (value) => ({ labels: [[2, ["current"]], [1, ["previous"]]], values: [ROTATE_VALUES.OLD, value], pending: undefined }),
        },
        cleanup: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  },
  {
    skips: {
      cutFinish: "finish is one atomic rewrite of the store (temp file, fsync, rename): no step to cut between",
      unreachable: "no remote backend: a local file cannot be unreachable (disk faults: test/sources/disk-faults.test.ts)",
    },
  },
);
