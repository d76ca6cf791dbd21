// A dotenvx-encrypted .env, made by dotenvx's own API: hush import decrypts it with the user's
// key (.env.keys or DOTENV_PRIVATE_KEY*), never stores ciphertext, and stops with a clear error
// when it cannot decrypt.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import dotenvx from "@dotenvx/dotenvx";
import { parse } from "dotenv";
import { runHush } from "../helpers/cli.js";
import { loadDotenvxDecrypt } from "../../src/workflows/import-dotenvx.js";
import { HushError } from "../../src/errors.js";

let dir: string;
const VALUES: Record<string, string> = {
  OPENAI_API_KEY: "sk-proj-CANARY-dotenvx-0123456789",
  MULTI: "l1\r\nl2 'q' \"d\" CANARY",
  CMD: "$(touch PWNED) ${HOME} CANARY",
};
const hush = (args: string[], extraEnv: Record<string, string> = {}) => runHush(["--cwd", dir, ...args], { env: { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME, ...extraEnv } });

/** Encrypts VALUES into `file` with dotenvx's own `set`; returns the private key it made. */
async function encryptWithDotenvx(file: string): Promise<{ keyName: string; key: string }> {
  const keysFile = join(dir, ".env.keys");
  for (const [k, v] of Object.entries(VALUES)) await dotenvx.set(k, v, { path: file, envKeysFile: keysFile, quiet: true } as never);
  const keys = parse(readFileSync(keysFile, "utf8"));
  const [keyName, key] = Object.entries(keys).find(([k]) => k.startsWith("DOTENV_PRIVATE_KEY"))!;
  return { keyName, key: key! };
}

function expectNoCiphertextStored(text: string): void {
  expect(text).not.toContain("encrypted:");
  expect(text).not.toContain("CANARY");
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "hush-dotenvx-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("hush import of a dotenvx-encrypted .env", () => {
  it("decrypts with the .env.keys beside it; stores plaintext, never ciphertext or DOTENV_PUBLIC_KEY", async () => {
    await encryptWithDotenvx(join(dir, ".env"));
    expect(readFileSync(join(dir, ".env"), "utf8")).toContain("encrypted:");
    const r = await hush(["import", join(dir, ".env"), "--remove-source"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/imported 3 secret\(s\) from .*\(dotenv, decrypted with dotenvx\) into local/);
    expectNoCiphertextStored(r.stderr);
    for (const [name, value] of Object.entries(VALUES)) expect((await hush(["get", name])).stdout).toBe(value);
    const names = JSON.parse((await hush(["list", "--json"])).stdout).map((l: { name: string }) => l.name);
    expect(names.sort()).toEqual(["cmd", "multi", "openai_api_key"]);
    expect(existsSync(join(dir, "PWNED")), "no command in the file ran").toBe(false);
    expect(existsSync(join(dir, ".env"))).toBe(false);
    expect(existsSync(join(dir, ".env.keys")), "the key file is the user's: kept").toBe(true);
  });

  it("decrypts .env.production with DOTENV_PRIVATE_KEY_PRODUCTION from the environment", async () => {
    const { keyName, key } = await encryptWithDotenvx(join(dir, ".env.production"));
    expect(keyName).toBe("DOTENV_PRIVATE_KEY_PRODUCTION");
    rmSync(join(dir, ".env.keys"));
    const r = await hush(["import", join(dir, ".env.production"), "--json"], { [keyName]: key });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ encryption: "dotenvx", imported: ["openai_api_key", "multi", "cmd"] });
    expect((await hush(["get", "multi"])).stdout).toBe(VALUES.MULTI);
  });

  it("without a key: KEY_MISSING (exit 5) naming the key to set; nothing stored", async () => {
    await encryptWithDotenvx(join(dir, ".env"));
    renameSync(join(dir, ".env.keys"), join(dir, "elsewhere.keys"));
    const r = await hush(["import", join(dir, ".env")]);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/is encrypted by dotenvx \(3 value\(s\)\) and no private key was found: neither DOTENV_PRIVATE_KEY in the environment/);
    expect(r.stderr).toMatch(/Nothing was imported/);
    expectNoCiphertextStored(r.stderr + r.stdout);
    expect(existsSync(join(dir, ".secrets", "dev.store"))).toBe(false);
  });

  it("with a wrong key: WRONG_KEY (exit 5), no key and no value in the output; nothing stored", async () => {
    await encryptWithDotenvx(join(dir, ".env"));
    rmSync(join(dir, ".env.keys"));
    const wrong = "a".repeat(64);
    const r = await hush(["import", join(dir, ".env")], { DOTENV_PRIVATE_KEY: wrong });
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/No private key found \(DOTENV_PRIVATE_KEY and the others tried\) decrypts "OPENAI_API_KEY"/);
    expect(r.stderr).not.toContain(wrong);
    expectNoCiphertextStored(r.stderr + r.stdout);
    expect(existsSync(join(dir, ".secrets", "dev.store"))).toBe(false);
  });

  it("without dotenvx's package: MISSING_DEPENDENCY naming the install command", async () => {
    writeFileSync(join(dir, "x.mjs"), "");
    const e = await loadDotenvxDecrypt(pathToFileURL(join(dir, "x.mjs")).href).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(HushError);
    expect((e as HushError).code).toBe("MISSING_DEPENDENCY");
    expect((e as HushError).message).toContain("npm install --save-dev @dotenvx/dotenvx");
  });
});
