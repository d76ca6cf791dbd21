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

/**
 * Python's `get_secret(key)` in the reference design, run by real Python: the environment
 * variable `key.upper().replace(".", "_")`, then `<key>.secret` (a failure is logged and passed
 * over), then the consolidated file's `.get(key)`; `None` (also a stored `null`) is "not found".
 * Returns json.dumps of the value, or undefined when Python finds nothing.
 */
export function pythonGetSecret(dir: string, key: string, env: NodeJS.ProcessEnv = {}): string | undefined {
  const script = `
import json, os, sys
from cryptography.fernet import Fernet
d, key = sys.argv[1], sys.argv[2]
def load():
    f = Fernet(open(os.path.join(d, ".encryption.key"), "rb").read())
    p = os.path.join(d, key + ".secret")
    if os.path.exists(p):
        try:
            return json.loads(f.decrypt(open(p, "rb").read()))
        except Exception:
            print("logged: cannot read " + key, file=sys.stderr)
    c = os.path.join(d, "mallku-secrets.json.encrypted")
    if os.path.exists(c):
        return json.loads(f.decrypt(open(c, "rb").read())).get(key)
    return None
v = os.environ.get(key.upper().replace(".", "_"))
if v is None:
    v = load()
print("null" if v is None else json.dumps(json.dumps(v)))
`;
  const out = execFileSync(PYTHON, ["-c", script, dir, key], { encoding: "utf8", env: { PATH: process.env.PATH, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const parsed = JSON.parse(out) as string | null;
  return parsed === null ? undefined : parsed;
}

/** Python's `set_secret(key, value)` in the reference design: value is JSON text (`"null"`, `"\"x\""`), written to the consolidated file. */
export function pythonSetSecret(dir: string, key: string, valueJson: string): void {
  const script = `
import json, os, sys
from cryptography.fernet import Fernet
d, key, value = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
f = Fernet(open(os.path.join(d, ".encryption.key"), "rb").read())
p = os.path.join(d, "mallku-secrets.json.encrypted")
data = json.loads(f.decrypt(open(p, "rb").read())) if os.path.exists(p) else {}
data[key] = value
open(p, "wb").write(f.encrypt(json.dumps(data).encode()))
os.chmod(p, 0o600)
`;
  execFileSync(PYTHON, ["-c", script, dir, key, valueJson], { stdio: "pipe" });
}

/** Writes `<key>.secret` as the reference design does: a Fernet token of json.dumps(value) under the folder's key. */
export function pythonWritePerKey(dir: string, key: string, valueJson: string): void {
  const script = `
import json, os, sys
from cryptography.fernet import Fernet
d, key, value = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
f = Fernet(open(os.path.join(d, ".encryption.key"), "rb").read())
p = os.path.join(d, key + ".secret")
open(p, "wb").write(f.encrypt(json.dumps(value).encode()))
os.chmod(p, 0o600)
`;
  execFileSync(PYTHON, ["-c", script, dir, key, valueJson], { stdio: "pipe" });
}
