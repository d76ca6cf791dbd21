/**
 * The passphrase provider and its wrap format: round trip, wrong passphrase (WRONG_KEY, never
 * "missing"), tampering of every field, bounds on a tampered file's scrypt parameters, purpose
 * and environment binding, lax permissions; no key or passphrase in any error.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { generateFernetKey, parseFernetKey } from "../../src/crypto/fernet.js";
import { HushError } from "../../src/errors.js";
import { createPassphraseKeyProvider, passphraseKeyProviderType } from "../../src/keys/passphrase.js";
import { parseWrappedKey, unwrapKeyWithPassphrase, wrapKeyWithPassphrase } from "../../src/keys/passphrase-wrap.js";
import { obtainPassphrase } from "../../src/keys/passphrase-input.js";
import { describeKeyProviderConformance } from "./conformance/suite.js";

const CHEAP = { N: 2 ** 14, r: 8, p: 1 };
const PASS = "correct horse battery staple";
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "hush-pp-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function context(env: NodeJS.ProcessEnv = { HUSH_PASSPHRASE: PASS }) {
  return { root: dir, secretsDir: join(dir, ".secrets"), environment: "prod", env, onWarning: () => undefined };
}

/** Fails the test when `key` or the passphrase shows anywhere in the error. */
async function expectCodeNoLeak(p: Promise<unknown>, code: string, secrets: string[]): Promise<HushError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(HushError);
  const err = e as HushError;
  expect(err.code).toBe(code);
  const surfaces = [String(err), JSON.stringify(err), err.message, err.hint, err.stack ?? ""].join("\n");
  for (const s of secrets) expect(surfaces).not.toContain(s);
  return err;
}

describe("passphrase provider", () => {
  it("saves 0600 in a 0700 folder and loads the same key back, in a new provider", async () => {
    const key = generateFernetKey();
    await createPassphraseKeyProvider({}, context(), { params: CHEAP }).save(key);
    const path = join(dir, ".secrets", "prod.wrapped-key.json");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, ".secrets")).mode & 0o777).toBe(0o700);
    expect(readFileSync(path, "utf8")).not.toContain(key.slice(0, 20));
    const loaded = await createPassphraseKeyProvider({}, context()).load();
    expect(Buffer.concat([loaded.signingKey, loaded.encryptionKey])).toEqual(Buffer.concat(Object.values(parseFernetKey(key))));
  });

  it("a wrong passphrase is WRONG_KEY, never missing, and names neither key nor passphrase", async () => {
    const key = generateFernetKey();
    await createPassphraseKeyProvider({}, context(), { params: CHEAP }).save(key);
    await expectCodeNoLeak(createPassphraseKeyProvider({}, context({ HUSH_PASSPHRASE: "not it" })).load(), "WRONG_KEY", [key, PASS, "not it"]);
  });

  it("no file is KEY_MISSING; no passphrase and no terminal is INVALID_ARGUMENT saying how to give one", async () => {
    await expectCodeNoLeak(createPassphraseKeyProvider({}, context()).load(), "KEY_MISSING", [PASS]);
    await createPassphraseKeyProvider({}, context(), { params: CHEAP }).save(generateFernetKey());
    const e = await expectCodeNoLeak(createPassphraseKeyProvider({}, context({}), { tty: { input: new PassThrough(), output: new PassThrough() } }).load(), "INVALID_ARGUMENT", [PASS]);
    expect(e.hint).toContain("HUSH_PASSPHRASE");
  });

  it("refuses a wrapped key file others can read, and a replaced key unasked", async () => {
    const provider = createPassphraseKeyProvider({}, context(), { params: CHEAP });
    await provider.save(generateFernetKey());
    await expectCodeNoLeak(provider.save(generateFernetKey()), "KEY_EXISTS", [PASS]);
    const path = join(dir, ".secrets", "prod.wrapped-key.json");
    chmodSync(path, 0o644);
    await expectCodeNoLeak(createPassphraseKeyProvider({}, context()).load(), "INSECURE_PERMISSIONS", [PASS]);
  });

  it("replace re-wraps under the passphrase already given; remove deletes", async () => {
    const provider = createPassphraseKeyProvider({}, context(), { params: CHEAP });
    await provider.save(generateFernetKey());
    await provider.load();
    const second = generateFernetKey();
    await provider.save(second, { replace: true });
    const loaded = await createPassphraseKeyProvider({}, context()).load();
    expect(loaded.signingKey).toEqual(parseFernetKey(second).signingKey);
    expect(await provider.remove!()).toBe(true);
    expect(await provider.exists()).toBe(false);
  });

  it("is a descriptor with a file option and reports its location as outside the project", () => {
    expect(passphraseKeyProviderType.type).toBe("passphrase");
    expect(createPassphraseKeyProvider({}, context()).location().insideProject).toBe(false);
  });

  it("asks on a terminal with the echo off, and twice for a new passphrase", async () => {
    const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => undefined });
    const output = new PassThrough();
    const shown: string[] = [];
    output.on("data", (c: Buffer) => shown.push(c.toString()));
    const asked = obtainPassphrase({ env: {}, prompt: "Passphrase: ", confirm: true, tty: { input, output } });
    setTimeout(() => input.write("s3cret-typed\n"), 10);
    setTimeout(() => input.write("s3cret-typed\n"), 30);
    expect(await asked).toBe("s3cret-typed");
    expect(shown.join("")).not.toContain("s3cret-typed");
  });

  it("keeps a line typed ahead for the confirmation (both typings read at once)", async () => {
    // Both lines are there before the first prompt reads: a reader per prompt lost the second
    // one, and the confirmation waited forever (seen when the typing timers above fired late).
    const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => undefined });
    const output = new PassThrough();
    const shown: string[] = [];
    output.on("data", (c: Buffer) => shown.push(c.toString()));
    const asked = obtainPassphrase({ env: {}, prompt: "Passphrase: ", confirm: true, tty: { input, output } });
    input.write("s3cret-typed\ns3cret-typed\n");
    expect(await asked).toBe("s3cret-typed");
    expect(shown.join("")).toContain("Type it again: ");
    expect(shown.join("")).not.toContain("s3cret-typed");
    const differ = obtainPassphrase({ env: {}, prompt: "Passphrase: ", confirm: true, tty: { input, output } });
    input.write("one-typing\nanother-typing\n");
    const e = (await differ.catch((x: unknown) => x)) as HushError;
    expect(e.code).toBe("INVALID_ARGUMENT");
    expect(String(e) + e.hint + shown.join("")).not.toMatch(/one-typing|another-typing/);
  });
});

describe("wrap format", () => {
  const raw = Buffer.alloc(32, 7);
  it("every altered field fails: WRONG_KEY for the cipher's fields, MALFORMED_KEY for the form", async () => {
    const text = await wrapKeyWithPassphrase(raw, PASS, { purpose: "export", environment: "prod", params: CHEAP });
    const doc = JSON.parse(text);
    const flips: [string, (d: Json) => void, string][] = [
      ["salt", (d) => (d.kdf.salt = flip(d.kdf.salt)), "WRONG_KEY"],
      ["iv", (d) => (d.cipher.iv = flip(d.cipher.iv)), "WRONG_KEY"],
      ["tag", (d) => (d.cipher.tag = flip(d.cipher.tag)), "WRONG_KEY"],
      ["ciphertext", (d) => (d.ciphertext = flip(d.ciphertext)), "WRONG_KEY"],
      ["weaker N", (d) => (d.kdf.N = 2 ** 14 === d.kdf.N ? 2 ** 15 : 2 ** 14), "WRONG_KEY"],
      ["huge N", (d) => (d.kdf.N = 2 ** 30), "MALFORMED_KEY"],
      ["N not a power of two", (d) => (d.kdf.N = 20000), "MALFORMED_KEY"],
      ["extra field", (d) => (d.extra = 1), "MALFORMED_KEY"],
      ["padded base64", (d) => (d.ciphertext += "="), "MALFORMED_KEY"],
      ["version 2", (d) => (d.version = 2), "MALFORMED_KEY"],
    ];
    for (const [what, change, code] of flips) {
      const copy = structuredClone(doc);
      change(copy);
      const e = await expectCodeNoLeak(unwrapKeyWithPassphrase(JSON.stringify(copy), PASS, { purpose: "export", what: "the bundle" }), code, [PASS, raw.toString("base64url")]);
      expect(e.code, what).toBe(code);
    }
    await expectCodeNoLeak(unwrapKeyWithPassphrase("{not json " + PASS, PASS, { purpose: "export", what: "the bundle" }), "MALFORMED_KEY", [PASS]);
  });

  it("binds purpose and environment; a file moved to another environment does not open", async () => {
    const text = await wrapKeyWithPassphrase(raw, PASS, { purpose: "export", environment: "prod", params: CHEAP });
    expect(await unwrapKeyWithPassphrase(text, PASS, { purpose: "export", environment: "prod", what: "b" })).toEqual(raw);
    await expectCodeNoLeak(unwrapKeyWithPassphrase(text, PASS, { purpose: "passphrase-key", what: "b" }), "MALFORMED_KEY", [PASS]);
    await expectCodeNoLeak(unwrapKeyWithPassphrase(text, PASS, { purpose: "export", environment: "dev", what: "b" }), "WRONG_KEY", [PASS]);
    const moved = text.replace('"environment": "prod"', '"environment": "dev"');
    await expectCodeNoLeak(unwrapKeyWithPassphrase(moved, PASS, { purpose: "export", environment: "dev", what: "b" }), "WRONG_KEY", [PASS]);
  });

  it("records the default parameters (N=2^16, r=8, p=1) and a 16-byte salt", async () => {
    const parsed = parseWrappedKey(await wrapKeyWithPassphrase(raw, PASS, { purpose: "export", environment: "dev" }), "x");
    expect(parsed.params).toEqual({ N: 65536, r: 8, p: 1 });
    expect(parsed.salt.length).toBe(16);
  });
});

function flip(b64: string): string {
  const bytes = Buffer.from(b64, "base64url");
  bytes[0] = bytes[0]! ^ 1;
  return bytes.toString("base64url");
}

// A file written by hand (not by the provider) is read the same way.
it("reads a file of another writer the same way", async () => {
  const text = await wrapKeyWithPassphrase(Buffer.alloc(32, 1), PASS, { purpose: "passphrase-key", environment: "prod", params: CHEAP });
  const { mkdirSync } = await import("node:fs");
  mkdirSync(join(dir, ".secrets"), { mode: 0o700 });
  writeFileSync(join(dir, ".secrets", "prod.wrapped-key.json"), text, { mode: 0o600 });
  const key = await createPassphraseKeyProvider({}, context()).load();
  expect(key.signingKey).toEqual(Buffer.alloc(16, 1));
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests alter parsed JSON freely
type Json = any;

describeKeyProviderConformance(
  "passphrase",
  {
    async create() {
      const root = mkdtempSync(join(tmpdir(), "hush-pp-conf-"));
      const ctx = { root, secretsDir: join(root, ".secrets"), environment: "prod", env: { HUSH_PASSPHRASE: PASS }, onWarning: () => undefined };
      const make = () => createPassphraseKeyProvider({}, ctx, { params: CHEAP });
      const path = join(root, ".secrets", "prod.wrapped-key.json");
      return {
        provider: make(),
        reopen: make,
        secrets: [PASS, "another passphrase"],
        faults: {
          // The same key file, now wrapped under another passphrase than HUSH_PASSPHRASE.
          wrongKey: async () => writeFileSync(path, await wrapKeyWithPassphrase(Buffer.alloc(32, 9), "another passphrase", { purpose: "passphrase-key", environment: "prod", params: CHEAP })),
          corrupt: async () => writeFileSync(path, readFileSync(path).subarray(0, 40)),
          laxPermissions: async () => chmodSync(path, 0o644),
        },
        cleanup: async () => rmSync(root, { recursive: true, force: true }),
      };
    },
  },
  {
    skips: {
      denied: "a local file and a passphrase: no service to refuse (a wrong passphrase is the wrongKey case)",
      unreachable: "a local file has no backend to be unreachable",
    },
  },
);
