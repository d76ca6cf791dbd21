/**
 * The `mallku` source (the Python reference design's `.secrets/` layout) runs the conformance
 * suite; values are seeded by real Python (Debian python3-cryptography), as a Python app
 * sharing the folder writes them. Layout details: mallku-read / mallku-write / mallku-edge-cases.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMallkuSource } from "../../src/sources/mallku.js";
import { generateFernetKey } from "../../src/crypto/fernet.js";
import { PYTHON } from "../helpers/fixtures.js";
import { describeSourceConformance, noRemoteBackend } from "./conformance/suite.js";

/** SecretsManager.set_secret's way: decrypt the dict, update, json.dumps, rewrite in place, chmod 0600. Values by stdin. */
const PYTHON_SET_SECRETS = `
import json, os, sys
from cryptography.fernet import Fernet
d = sys.argv[1]
f = Fernet(open(os.path.join(d, ".encryption.key"), "rb").read())
p = os.path.join(d, "mallku-secrets.json.encrypted")
data = json.loads(f.decrypt(open(p, "rb").read())) if os.path.exists(p) else {}
data.update(json.loads(sys.stdin.read()))
with open(p, "wb") as fh:
    fh.write(f.encrypt(json.dumps(data).encode()))
os.chmod(p, 0o600)
`;

describeSourceConformance(
  "mallku",
  {
    async create() {
      const root = mkdtempSync(join(tmpdir(), "hush-mallku-conf-"));
      const dir = join(root, ".secrets");
      mkdirSync(dir, { mode: 0o700 });
      writeFileSync(join(dir, ".encryption.key"), generateFernetKey(), { mode: 0o600 });
      const consolidated = join(dir, "mallku-secrets.json.encrypted");
      return {
        source: createMallkuSource({ secretsDir: dir }),
        async seed(values) {
          execFileSync(PYTHON, ["-c", PYTHON_SET_SECRETS, dir], { input: JSON.stringify(values) });
        },
        async breakIt() {
          const bytes = readFileSync(consolidated);
          bytes[bytes.length - 20]! ^= 0x01;
          writeFileSync(consolidated, bytes);
        },
        async cleanup() {
          rmSync(root, { recursive: true, force: true });
        },
      };
    },
  },
  {
    skips: {
      ...noRemoteBackend("the Python layout's files"),
      getMany: "the layout is one small file read once per call; the manager asks name by name",
      versions: "the Python layout keeps one value per name, no history",
      watch: "no change notification: a Python app rewrites the file in place, and reads re-check the file's bytes instead",
      denied: "local files have no credentials to refuse: an unreadable file is READ_FAILED, an over-permissive one INSECURE_PERMISSIONS (mallku-write.test.ts)",
      deleted: "one value per name, no versions: a deleted name is simply not there",
      dispose: "holds no connection or watcher to release",
    },
  },
);
