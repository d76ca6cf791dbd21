/** Shared helpers of the Python (Mallku) layout tests. */
import { chmodSync, cpSync, mkdtempSync, readdirSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MALLKU_FIXTURE, PYTHON } from "./fixtures.js";

/** A private (0700/0600) copy of the fixture's .secrets folder; its root is pushed on `temps` for cleanup. */
export function privateMallkuCopy(temps: string[]): string {
  const root = mkdtempSync(join(tmpdir(), "hush-mallku-"));
  temps.push(root);
  const dir = join(root, ".secrets");
  cpSync(`${MALLKU_FIXTURE}.secrets`, dir, { recursive: true });
  chmodSync(dir, 0o700);
  for (const f of readdirSync(dir)) chmodSync(join(dir, f), 0o600);
  return dir;
}

/**
 * What the Mallku-style Python reader sees in `dir` (per-key files winning), run by real Python:
 * { key: json.dumps(value) }, so NaN, big integers and lone surrogates arrive exactly as Python has them.
 */
export function pythonReadMallku(dir: string): Record<string, string> {
  const script = `
import json, os, sys
from cryptography.fernet import Fernet
d = sys.argv[1]
f = Fernet(open(os.path.join(d, ".encryption.key"), "rb").read())
out = {}
p = os.path.join(d, "mallku-secrets.json.encrypted")
if os.path.exists(p):
    out.update(json.loads(f.decrypt(open(p, "rb").read())))
for name in sorted(os.listdir(d)):
    if name.endswith(".secret"):
        out[name[:-7]] = json.loads(f.decrypt(open(os.path.join(d, name), "rb").read()))
print(json.dumps({k: json.dumps(v) for k, v in out.items()}))
`;
  return JSON.parse(execFileSync(PYTHON, ["-c", script, dir], { encoding: "utf8" }));
}
