/**
 * Writes to the Python (Mallku) layout, checked by real Python (Debian python3-cryptography):
 * hush -> Python and Python -> hush round trips, concurrent foreign rewrites, failed opens never
 * replaced, permissions.
 */
import { afterEach, describe, expect, it } from "vitest";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMallkuSource } from "../../src/sources/mallku.js";
import { updateMallku } from "../../src/sources/mallku/write.js";
import { fernetEncrypt, generateFernetKey, parseFernetKey } from "../../src/crypto/fernet.js";
import { HushError } from "../../src/errors.js";
import { MALLKU_FIXTURE, PYTHON } from "../helpers/fixtures.js";
import { privateMallkuCopy, pythonReadMallku } from "../helpers/mallku.js";

const manifest = JSON.parse(readFileSync(`${MALLKU_FIXTURE}manifest.json`, "utf8"));
const expected: Record<string, unknown> = manifest.effective_values_reference_order;
const KEY_TEXT = readFileSync(`${MALLKU_FIXTURE}.secrets/.encryption.key`, "utf8");
const NEW_VALUE = "hush-wrote-this-välue-🔑-\n\t\"\\-\u0000-end";
const CHANGED_VALUE = "hush-changed-ascii-api-key-0123456789";
const CANARIES = ["mallku-fixture-ascii-0123456789", "per-key-file-value-WINS", "db.internal.example", "hush-wrote-this", "hush-changed-ascii", "python-wrote-this", KEY_TEXT.slice(0, 20)];

const temps: string[] = [];
afterEach(() => {
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
});

const privateCopy = () => privateMallkuCopy(temps);

/** Python's view of a folder, as the Mallku reader resolves it (per-key file wins). */
function pythonRead(dir: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(pythonReadMallku(dir)).map(([k, v]) => [k, JSON.parse(v)]));
}

/** Python imitating SecretsManager.set_secret: decrypt, update, json.dumps, write in place, chmod. Values by stdin. */
function pythonSetSecret(dir: string, updates: Record<string, unknown>): void {
  const script = `
import json, os, sys
from cryptography.fernet import Fernet
d = sys.argv[1]
f = Fernet(open(os.path.join(d, ".encryption.key"), "rb").read())
p = os.path.join(d, "mallku-secrets.json.encrypted")
for k, v in json.loads(sys.stdin.read()).items():
    data = json.loads(f.decrypt(open(p, "rb").read())) if os.path.exists(p) else {}
    data[k] = v
    with open(p, "wb") as fh:
        fh.write(f.encrypt(json.dumps(data).encode()))
    os.chmod(p, 0o600)
`;
  execFileSync(PYTHON, ["-c", script, dir], { input: JSON.stringify(updates) });
}

async function expectCode(p: Promise<unknown>, code: string): Promise<HushError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e, `expected ${code}`).toBeInstanceOf(HushError);
  expect((e as HushError).code, (e as HushError).message).toBe(code);
  for (const c of CANARIES) {
    expect(String(e)).not.toContain(c);
    expect(JSON.stringify(e)).not.toContain(c);
  }
  return e as HushError;
}

const snapshot = (dir: string) => Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f)).toString("base64")]));

describe("mallku writes, read back by real Python", () => {
  it("set new, change, delete, set a key with a per-key file: Python sees every other value unchanged", async () => {
    const dir = privateCopy();
    const source = createMallkuSource({ secretsDir: dir });
    await source.set!("new_key", NEW_VALUE);
    expect(await source.set!("ASCII_API_KEY", CHANGED_VALUE)).toMatchObject({ name: "ascii_api_key", value: CHANGED_VALUE });
    expect(await source.delete!("empty_value")).toBe(true);
    expect(await source.delete!("empty_value")).toBe(false);
    const rec = await source.set!("service_token", "hush-wrote-this-token");
    expect(rec.location).toBe(join(dir, "service_token.secret"));

    const want: Record<string, unknown> = { ...expected, ascii_api_key: CHANGED_VALUE, new_key: NEW_VALUE, service_token: "hush-wrote-this-token" };
    delete want.empty_value;
    const seen = pythonRead(dir);
    expect(seen).toEqual(want);
    expect(Object.keys(seen)).toEqual(["ascii_api_key", "unicode_passphrase", "database.config", "large_blob", "special_chars", "service_token", "new_key"]);
    for (const [name, value] of Object.entries(want)) {
      const r = (await source.get(name))!;
      if (typeof value === "string") expect(r.value, name).toBe(value);
      else expect(JSON.parse(r.value), name).toEqual(value);
    }
    for (const f of ["mallku-secrets.json.encrypted", "service_token.secret"]) expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  it("writes the consolidated file byte for byte as Python's own set_secret would", async () => {
    const dir = privateCopy();
    await createMallkuSource({ secretsDir: dir }).set!("ascii_api_key", CHANGED_VALUE);
    await createMallkuSource({ secretsDir: dir }).set!("new_key", NEW_VALUE);
    const script = `
import json, os, sys
from cryptography.fernet import Fernet
d, orig = sys.argv[1], sys.argv[2]
f = Fernet(open(os.path.join(d, ".encryption.key"), "rb").read())
ours = f.decrypt(open(os.path.join(d, "mallku-secrets.json.encrypted"), "rb").read())
data = json.loads(f.decrypt(open(os.path.join(orig, "mallku-secrets.json.encrypted"), "rb").read()))
for k, v in json.loads(sys.stdin.read()).items():
    data[k] = v
print(json.dumps(ours == json.dumps(data).encode()))`;
    const same = execFileSync(PYTHON, ["-c", script, dir, `${MALLKU_FIXTURE}.secrets`], { input: JSON.stringify({ ascii_api_key: CHANGED_VALUE, new_key: NEW_VALUE }), encoding: "utf8" });
    expect(same.trim()).toBe("true");
  });

  it("reads what Python's set_secret wrote", async () => {
    const dir = privateCopy();
    const dictValue = { a: [1, 2.5, null], "é": { b: true } };
    pythonSetSecret(dir, { py_new: "python-wrote-this-välue-🔑\n", py_dict: dictValue, ascii_api_key: "python-wrote-this-too" });
    const source = createMallkuSource({ secretsDir: dir });
    expect((await source.get("py_new"))!.value).toBe("python-wrote-this-välue-🔑\n");
    expect(JSON.parse((await source.get("py_dict"))!.value)).toEqual(dictValue);
    expect((await source.get("ascii_api_key"))!.value).toBe("python-wrote-this-too");
    expect((await source.get("unicode_passphrase"))!.value).toBe(expected.unicode_passphrase);
  });

  it("creates a missing consolidated file 0600 in a 0700 folder", async () => {
    const root = mkdtempSync(join(tmpdir(), "hush-mallku-new-"));
    temps.push(root);
    const dir = join(root, ".secrets");
    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(join(dir, ".encryption.key"), generateFernetKey(), { mode: 0o600 });
    await createMallkuSource({ secretsDir: dir }).set!("first", NEW_VALUE);
    expect(statSync(join(dir, "mallku-secrets.json.encrypted")).mode & 0o777).toBe(0o600);
    expect(pythonRead(dir)).toEqual({ first: NEW_VALUE });
  });

  it("serializes concurrent hush writers: no lost update", async () => {
    const dir = privateCopy();
    const a = createMallkuSource({ secretsDir: dir });
    const b = createMallkuSource({ secretsDir: dir });
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).set!(`k${i}`, `v${i}`)));
    const seen = pythonRead(dir);
    for (let i = 0; i < 20; i++) expect(seen[`k${i}`]).toBe(`v${i}`);
  });

  it("refuses a value with a lone surrogate (INVALID_VALUE) and writes nothing", async () => {
    const dir = privateCopy();
    const before = snapshot(dir);
    await expectCode(createMallkuSource({ secretsDir: dir }).set!("bad", "x\ud800"), "INVALID_VALUE");
    expect(snapshot(dir)).toEqual(before);
  });
});

describe("mallku writes: faults", () => {
  it("detects a Python app rewriting the consolidated file between hush's read and rename (CONCURRENT_MODIFICATION)", async () => {
    const dir = privateCopy();
    const ctx = { secretsDir: dir, keyFile: join(dir, ".encryption.key"), lockTimeoutMs: 10_000, beforeCheck: () => pythonSetSecret(dir, { py_key: "python-wrote-this" }) };
    await expectCode(updateMallku(ctx, "hush_key", "hush-wrote-this"), "CONCURRENT_MODIFICATION");
    const seen = pythonRead(dir);
    expect(seen.py_key).toBe("python-wrote-this");
    expect(seen.hush_key).toBeUndefined();
    expect(readdirSync(dir).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  it("detects a concurrent rewrite of the per-key file too", async () => {
    const dir = privateCopy();
    const key = parseFernetKey(KEY_TEXT);
    const perKey = join(dir, "service_token.secret");
    const ctx = {
      secretsDir: dir, keyFile: join(dir, ".encryption.key"), lockTimeoutMs: 10_000,
      beforeCheck: (path: string) => { if (path === perKey) writeFileSync(perKey, fernetEncrypt(key, '"python-wrote-this"')); },
    };
    await expectCode(updateMallku(ctx, "service_token", "hush-wrote-this"), "CONCURRENT_MODIFICATION");
    expect(pythonRead(dir).service_token).toBe("python-wrote-this");
  });

  const broken: [string, (dir: string) => void, string][] = [
    ["empty", (d) => writeFileSync(join(d, "mallku-secrets.json.encrypted"), ""), "STORE_TRUNCATED"],
    ["cut short", (d) => { const p = join(d, "mallku-secrets.json.encrypted"); writeFileSync(p, readFileSync(p).subarray(0, 7001)); }, "STORE_TRUNCATED"],
    ["wrong key", (d) => writeFileSync(join(d, ".encryption.key"), generateFernetKey()), "WRONG_KEY"],
    ["HMAC damaged", (d) => { const p = join(d, "mallku-secrets.json.encrypted"); const t = readFileSync(p, "latin1"); writeFileSync(p, t.slice(0, 100) + (t[100] === "A" ? "B" : "A") + t.slice(101)); }, "STORE_CORRUPT"],
    ["not JSON", (d) => writeFileSync(join(d, "mallku-secrets.json.encrypted"), fernetEncrypt(parseFernetKey(KEY_TEXT), "{not json")), "STORE_CORRUPT"],
    ["'+/' alphabet", (d) => { const p = join(d, "mallku-secrets.json.encrypted"); writeFileSync(p, readFileSync(p, "latin1").replace(/-/g, "+").replace(/_/g, "/")); }, "STORE_CORRUPT"],
  ];
  for (const [what, breakIt, code] of broken) {
    it(`never replaces an unreadable consolidated file (${what} -> ${code})`, async () => {
      const dir = privateCopy();
      breakIt(dir);
      const before = snapshot(dir);
      const source = createMallkuSource({ secretsDir: dir });
      await expectCode(source.set!("hush_key", "hush-wrote-this"), code);
      await expectCode(source.delete!("ascii_api_key"), code);
      expect(snapshot(dir)).toEqual(before);
    });
  }

  it("checks the per-key file's mode before writing anything", async () => {
    const dir = privateCopy();
    chmodSync(join(dir, "service_token.secret"), 0o644);
    const before = snapshot(dir);
    const e = await expectCode(createMallkuSource({ secretsDir: dir }).set!("service_token", "hush-wrote-this"), "INSECURE_PERMISSIONS");
    expect(e.hint).toMatch(/chmod 600 .*service_token\.secret/);
    expect(snapshot(dir)).toEqual(before);
  });

  it("KEY_MISSING for a folder that does not exist, and creates nothing", async () => {
    const root = mkdtempSync(join(tmpdir(), "hush-mallku-none-"));
    temps.push(root);
    const source = createMallkuSource({ secretsDir: join(root, ".secrets") });
    expect(await source.get("anything")).toBeUndefined();
    expect(await source.list()).toEqual([]);
    await expectCode(source.set!("anything", "hush-wrote-this"), "KEY_MISSING");
    expect(readdirSync(root)).toEqual([]);
  });

  it("warn-on-read: reads a 0755/0644 copy with a warning but refuses to write until chmod", async () => {
    const dir = privateCopy();
    chmodSync(dir, 0o755);
    for (const f of readdirSync(dir)) chmodSync(join(dir, f), 0o644);
    const warnings: string[] = [];
    const source = createMallkuSource({ secretsDir: dir, onWarning: (m) => warnings.push(m) });
    expect((await source.get("service_token"))!.value).toBe("per-key-file-value-WINS");
    expect(warnings.join("\n")).toMatch(/chmod 700 /);
    const before = snapshot(dir);
    const e = await expectCode(source.set!("hush_key", "hush-wrote-this"), "INSECURE_PERMISSIONS");
    expect(e.hint).toMatch(/^Run: chmod 700 /);
    expect(snapshot(dir)).toEqual(before);
    expect(existsSync(join(dir, "mallku.lock"))).toBe(false);
    chmodSync(dir, 0o700);
    const e2 = await expectCode(source.set!("hush_key", "hush-wrote-this"), "INSECURE_PERMISSIONS");
    expect(e2.hint).toMatch(/^Run: chmod 600 /);
    for (const f of readdirSync(dir)) chmodSync(join(dir, f), 0o600);
    await source.set!("hush_key", "hush-wrote-this");
    expect(pythonRead(dir).hush_key).toBe("hush-wrote-this");
  });
});
