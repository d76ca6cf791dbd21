import { afterEach, describe, expect, it } from "vitest";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createMallkuSource } from "../../src/sources/mallku.js";
import { decryptTokenFile } from "../../src/sources/mallku/read.js";
import { fernetEncrypt, generateFernetKey, parseFernetKey } from "../../src/crypto/fernet.js";
import { HushError } from "../../src/errors.js";
import { HAS_SHARED_MALLKU, MALLKU_FIXTURE, SHARED_MALLKU } from "../helpers/fixtures.js";
import { privateMallkuCopy } from "../helpers/mallku.js";

const manifest = JSON.parse(readFileSync(`${MALLKU_FIXTURE}manifest.json`, "utf8"));
const expected: Record<string, unknown> = manifest.effective_values_reference_order;
const consolidatedSecrets: Record<string, unknown> = manifest.consolidated.secrets;
const KEY_TEXT = readFileSync(`${MALLKU_FIXTURE}.secrets/.encryption.key`, "utf8");
/** Values that must never show up in an error. */
const CANARIES = [
  ...Object.values(consolidatedSecrets).filter((v): v is string => typeof v === "string" && v.length >= 8).map((v) => v.slice(0, 24)),
  "per-key-file-value-WINS",
  "db.internal.example",
  KEY_TEXT.slice(0, 20),
];

const temps: string[] = [];
afterEach(() => {
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
});

const privateCopy = () => privateMallkuCopy(temps);

async function expectHushError(p: Promise<unknown> | (() => unknown), code: string): Promise<HushError> {
  let caught: unknown;
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected ${code}`).toBeInstanceOf(HushError);
  const e = caught as HushError;
  expect(e.code, e.message).toBe(code);
  for (const c of CANARIES) {
    expect(String(e)).not.toContain(c);
    expect(JSON.stringify(e)).not.toContain(c);
    expect(e.hint).not.toContain(c);
  }
  return e;
}

async function expectFixtureValues(secretsDir: string): Promise<string[]> {
  const warnings: string[] = [];
  const source = createMallkuSource({ secretsDir, onWarning: (m) => warnings.push(m) });
  expect(await source.list()).toEqual(Object.keys(expected));
  for (const [name, want] of Object.entries(expected)) {
    const record = (await source.get(name))!;
    expect(record, name).toBeDefined();
    expect(record.source).toBe("mallku");
    if (typeof want === "string") {
      expect(record.value, name).toBe(want);
      expect(record.encoding).toBe("string");
    } else {
      expect(record.encoding).toBe("json");
      expect(JSON.parse(record.value), name).toEqual(want);
    }
  }
  expect((await source.get("service_token"))!.location).toBe(join(secretsDir, "service_token.secret"));
  expect((await source.get("ascii_api_key"))!.location).toBe(join(secretsDir, "mallku-secrets.json.encrypted"));
  return warnings;
}

describe("mallku source: reading the Python-made fixture", () => {
  it("reads test/fixtures/mallku-python/.secrets in place, with chmod warnings for its git modes", async () => {
    const warnings = await expectFixtureValues(`${MALLKU_FIXTURE}.secrets`);
    expect(warnings.some((w) => /chmod 700 /.test(w))).toBe(true);
    expect(warnings.some((w) => /chmod 600 .*\.encryption\.key/.test(w))).toBe(true);
  });

  it.skipIf(!HAS_SHARED_MALLKU)("reads the read-only shared copy in place", async () => {
    await expectFixtureValues(`${SHARED_MALLKU}.secrets`);
  });

  it("reads a private copy without warnings; checks the documented value details", async () => {
    const dir = privateCopy();
    expect(await expectFixtureValues(dir)).toEqual([]);
    const source = createMallkuSource({ secretsDir: dir });
    const unicode = (await source.get("unicode_passphrase"))!.value;
    expect(unicode.length).toBe(manifest.value_checks.unicode_passphrase.utf16_code_units);
    expect(Buffer.byteLength(unicode)).toBe(manifest.value_checks.unicode_passphrase.utf8_bytes);
    expect((await source.get("empty_value"))!.value).toBe("");
    expect((await source.get("large_blob"))!.value.length).toBe(10240);
    expect((await source.get("service_token"))!.value).toBe("per-key-file-value-WINS");
    expect(await source.get("not_there")).toBeUndefined();
  });

  it("matches names through their env-var form", async () => {
    const source = createMallkuSource({ secretsDir: privateCopy() });
    const record = (await source.get("DATABASE_CONFIG"))!;
    expect(record.name).toBe("database.config");
    expect(JSON.parse(record.value)).toEqual(expected["database.config"]);
    expect((await source.get("SERVICE_TOKEN"))!.value).toBe("per-key-file-value-WINS");
  });

  it("strict permissions refuse the git-mode fixture with the chmod", async () => {
    const source = createMallkuSource({ secretsDir: `${MALLKU_FIXTURE}.secrets`, permissions: "strict" });
    const e = await expectHushError(source.get("ascii_api_key"), "INSECURE_PERMISSIONS");
    expect(e.hint).toMatch(/chmod 700 /);
  });

  it("check() reports the chmod problems of the git-mode fixture, and none for a private copy", async () => {
    const loose = await createMallkuSource({ secretsDir: `${MALLKU_FIXTURE}.secrets`, onWarning: () => undefined }).check!();
    expect(loose.ok).toBe(false);
    expect(loose.problems!.map((p) => p.fix).join("\n")).toMatch(/chmod 700 /);
    const tight = await createMallkuSource({ secretsDir: privateCopy() }).check!();
    expect(tight).toMatchObject({ ok: true, problems: [] });
    expect(tight.detail).toMatch(/^7 secrets in /);
  });

  it("two stored keys with one env-var form are a NAME_COLLISION naming both", async () => {
    const dir = privateCopy();
    const key = parseFernetKey(KEY_TEXT);
    writeFileSync(join(dir, "mallku-secrets.json.encrypted"), fernetEncrypt(key, '{"db.url": "canary-one-12345678", "DB_URL": "canary-two-12345678"}'));
    const source = createMallkuSource({ secretsDir: dir });
    const e = await expectHushError(source.get("db_url"), "NAME_COLLISION");
    expect(e.message).toContain('"db.url"');
    expect(e.message).toContain('"DB_URL"');
    expect(e.message).not.toContain("canary");
  });
});

describe("mallku source: wrong key vs corrupt vs truncated", () => {
  const consolidated = (dir: string) => join(dir, "mallku-secrets.json.encrypted");

  it("WRONG_KEY when no token file verifies", async () => {
    const dir = privateCopy();
    writeFileSync(join(dir, ".encryption.key"), generateFernetKey());
    await expectHushError(createMallkuSource({ secretsDir: dir }).get("ascii_api_key"), "WRONG_KEY");
    await expectHushError(createMallkuSource({ secretsDir: dir }).list(), "WRONG_KEY");
  });

  it("STORE_CORRUPT when the consolidated file fails but a per-key file verifies", async () => {
    const dir = privateCopy();
    const token = readFileSync(consolidated(dir), "latin1");
    const i = token.length - 10; // inside the HMAC
    writeFileSync(consolidated(dir), token.slice(0, i) + (token[i] === "A" ? "B" : "A") + token.slice(i + 1));
    const e = await expectHushError(createMallkuSource({ secretsDir: dir }).get("ascii_api_key"), "STORE_CORRUPT");
    expect(e.message).toMatch(/other token files .* do/);
  });

  it("STORE_TRUNCATED for an empty file and for cut tokens; never a partial value", async () => {
    const dir = privateCopy();
    writeFileSync(consolidated(dir), "");
    await expectHushError(createMallkuSource({ secretsDir: dir }).get("ascii_api_key"), "STORE_TRUNCATED");
    writeFileSync(consolidated(dir), " \n");
    await expectHushError(createMallkuSource({ secretsDir: dir }).get("ascii_api_key"), "STORE_TRUNCATED");
    const token = readFileSync(`${MALLKU_FIXTURE}.secrets/mallku-secrets.json.encrypted`);
    const key = parseFernetKey(KEY_TEXT);
    const codes = new Set<string>();
    for (let n = 1; n < token.length; n++) {
      try {
        decryptTokenFile(key, "k", { path: "x", bytes: token.subarray(0, n), ino: 0 }, dir);
        expect.unreachable(`length ${n} decrypted`);
      } catch (e) {
        expect(e).toBeInstanceOf(HushError);
        codes.add((e as HushError).code);
      }
    }
    // Most cuts are STORE_TRUNCATED; a cut that still has a plausible length fails the HMAC and,
    // since the per-key file verifies, reads as STORE_CORRUPT. Nothing else.
    expect([...codes].sort()).toEqual(["STORE_CORRUPT", "STORE_TRUNCATED"]);
  });

  it("STORE_CORRUPT for content that is not JSON, never quoting it", async () => {
    const dir = privateCopy();
    writeFileSync(consolidated(dir), fernetEncrypt(parseFernetKey(KEY_TEXT), '{"k": "per-key-file-value-WINS" broken'));
    await expectHushError(createMallkuSource({ secretsDir: dir }).get("ascii_api_key"), "STORE_CORRUPT");
    writeFileSync(consolidated(dir), fernetEncrypt(parseFernetKey(KEY_TEXT), '["db.internal.example"]'));
    await expectHushError(createMallkuSource({ secretsDir: dir }).get("ascii_api_key"), "STORE_CORRUPT");
  });

  it("LIMIT_EXCEEDED for too deep JSON and for an oversized file, before parsing", async () => {
    const dir = privateCopy();
    writeFileSync(consolidated(dir), fernetEncrypt(parseFernetKey(KEY_TEXT), `{"k": ${"[".repeat(70)}${"]".repeat(70)}}`));
    await expectHushError(createMallkuSource({ secretsDir: dir }).get("k"), "LIMIT_EXCEEDED");
    writeFileSync(consolidated(dir), "");
    const { truncateSync } = await import("node:fs");
    truncateSync(consolidated(dir), 100 * 1024 * 1024); // sparse: no disk used
    await expectHushError(createMallkuSource({ secretsDir: dir }).get("k"), "LIMIT_EXCEEDED");
  });
});
