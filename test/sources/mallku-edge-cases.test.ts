/**
 * The 12 edge-case files of test/fixtures/mallku-python/edge-cases, each with its documented
 * outcome (src/sources/mallku/python-json.ts header, docs/store-format.md "Python (Mallku) layout").
 * Where hush keeps a value it cannot serve, real Python reads it back unchanged after a rewrite.
 */
import { afterEach, describe, expect, it } from "vitest";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMallkuSource } from "../../src/sources/mallku.js";
import { HushError } from "../../src/errors.js";
import { MALLKU_FIXTURE } from "../helpers/fixtures.js";
import { pythonReadMallku } from "../helpers/mallku.js";

const manifest = JSON.parse(readFileSync(`${MALLKU_FIXTURE}manifest.json`, "utf8"));
const KEY_TEXT = readFileSync(`${MALLKU_FIXTURE}.secrets/.encryption.key`, "utf8");

const temps: string[] = [];
afterEach(() => {
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
});

/** A private .secrets folder holding the fixture key and `edgeFile` as the consolidated file. */
function folderWith(edgeFile: string, keyFile?: string): { dir: string; keyFile: string } {
  const root = mkdtempSync(join(tmpdir(), "hush-mallku-edge-"));
  temps.push(root);
  const dir = join(root, ".secrets");
  mkdirSync(dir, { mode: 0o700 });
  copyFileSync(`${MALLKU_FIXTURE}.secrets/.encryption.key`, join(dir, ".encryption.key"));
  copyFileSync(`${MALLKU_FIXTURE}${edgeFile}`, join(dir, "mallku-secrets.json.encrypted"));
  let key = join(dir, ".encryption.key");
  if (keyFile) {
    key = join(dir, "edge.key");
    copyFileSync(`${MALLKU_FIXTURE}${keyFile}`, key);
  }
  for (const f of [".encryption.key", "mallku-secrets.json.encrypted", ...(keyFile ? ["edge.key"] : [])]) chmodSync(join(dir, f), 0o600);
  return { dir, keyFile: key };
}

const pythonRead = pythonReadMallku;

function pythonOutcome(file: string): string {
  const c = manifest.edge_cases.find((x: { file: string }) => x.file === file);
  expect(c, file).toBeDefined();
  return c.python_reference_reader.outcome;
}

async function expectCode(p: Promise<unknown>, code: string, canaries: string[] = []): Promise<HushError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e, `expected ${code}`).toBeInstanceOf(HushError);
  expect((e as HushError).code, (e as HushError).message).toBe(code);
  for (const c of canaries) {
    expect(String(e)).not.toContain(c);
    expect(JSON.stringify(e)).not.toContain(c);
  }
  return e as HushError;
}

describe("mallku edge cases (FAULTS 12)", () => {
  it("nan-infinity: listed; get() refuses with UNSUPPORTED_CONTENT; a rewrite keeps NaN and Infinity for Python", async () => {
    expect(pythonOutcome("edge-cases/nan-infinity.token")).toBe("accepted");
    const { dir } = folderWith("edge-cases/nan-infinity.token");
    const source = createMallkuSource({ secretsDir: dir });
    expect(await source.list()).toEqual(["nan", "inf"]);
    await expectCode(source.get("nan"), "UNSUPPORTED_CONTENT");
    await expectCode(source.get("inf"), "UNSUPPORTED_CONTENT");
    await source.set!("other", "x");
    expect(pythonRead(dir)).toEqual({ nan: "NaN", inf: "Infinity", other: '"x"' });
  });

  it("bigint: served exactly as JSON text (no rounding); a rewrite keeps every digit", async () => {
    expect(pythonOutcome("edge-cases/bigint.token")).toBe("accepted");
    const { dir } = folderWith("edge-cases/bigint.token");
    const source = createMallkuSource({ secretsDir: dir });
    expect(await source.get("big")).toMatchObject({ value: "18446744073709551617", encoding: "json" });
    await source.set!("other", "x");
    expect(pythonRead(dir).big).toBe("18446744073709551617");
  });

  it("lone-surrogate: get() refuses with INVALID_VALUE; a rewrite keeps it as \\ud800", async () => {
    expect(pythonOutcome("edge-cases/lone-surrogate.token")).toBe("accepted");
    const { dir } = folderWith("edge-cases/lone-surrogate.token");
    const source = createMallkuSource({ secretsDir: dir });
    await expectCode(source.get("s"), "INVALID_VALUE");
    await source.set!("other", "x");
    expect(pythonRead(dir).s).toBe('"\\ud800"');
    await expectCode(source.get("s"), "INVALID_VALUE");
  });

  it("utf8-json-not-ascii-escaped: accepted", async () => {
    expect(pythonOutcome("edge-cases/utf8-json-not-ascii-escaped.token")).toBe("accepted");
    const source = createMallkuSource({ secretsDir: folderWith("edge-cases/utf8-json-not-ascii-escaped.token").dir });
    expect((await source.get("k"))!.value).toBe("päss-🔑");
  });

  it("utf8-bom: BOM stripped, accepted", async () => {
    expect(pythonOutcome("edge-cases/utf8-bom.token")).toBe("accepted");
    const source = createMallkuSource({ secretsDir: folderWith("edge-cases/utf8-bom.token").dir });
    expect((await source.get("k"))!.value).toBe("v");
  });

  it("token-trailing-newline: accepted (ASCII whitespace at the ends of a token file is trimmed)", async () => {
    expect(pythonOutcome("edge-cases/token-trailing-newline.token")).toBe("accepted");
    const source = createMallkuSource({ secretsDir: folderWith("edge-cases/token-trailing-newline.token").dir });
    expect((await source.get("k"))!.value).toBe("v");
  });

  it("token-standard-base64-alphabet: refused as STORE_CORRUPT (strict; Python accepts it)", async () => {
    expect(pythonOutcome("edge-cases/token-standard-base64-alphabet.token")).toBe("accepted");
    const source = createMallkuSource({ secretsDir: folderWith("edge-cases/token-standard-base64-alphabet.token").dir });
    const e = await expectCode(source.get("k"), "STORE_CORRUPT");
    expect(e.hint).toMatch(/Python tolerates/);
  });

  it("token-trailing-garbage: refused as STORE_CORRUPT (strict; Python accepts it)", async () => {
    expect(pythonOutcome("edge-cases/token-trailing-garbage.token")).toBe("accepted");
    const source = createMallkuSource({ secretsDir: folderWith("edge-cases/token-trailing-garbage.token").dir });
    await expectCode(source.get("k"), "STORE_CORRUPT");
  });

  it("token-no-padding: refused as STORE_TRUNCATED (Python rejects it too)", async () => {
    expect(pythonOutcome("edge-cases/token-no-padding.token")).toBe("token_rejected");
    const source = createMallkuSource({ secretsDir: folderWith("edge-cases/token-no-padding.token").dir });
    await expectCode(source.get("k"), "STORE_TRUNCATED");
  });

  it("key-trailing-newline: accepted", async () => {
    expect(pythonOutcome("edge-cases/key-trailing-newline.token")).toBe("accepted");
    const { dir, keyFile } = folderWith("edge-cases/key-trailing-newline.token", "edge-cases/key-trailing-newline.key");
    expect((await createMallkuSource({ secretsDir: dir, keyFile }).get("k"))!.value).toBe("v");
  });

  it("key-crlf: accepted", async () => {
    expect(pythonOutcome("edge-cases/key-crlf.token")).toBe("accepted");
    const { dir, keyFile } = folderWith("edge-cases/key-crlf.token", "edge-cases/key-crlf.key");
    expect((await createMallkuSource({ secretsDir: dir, keyFile }).get("k"))!.value).toBe("v");
  });

  it("key-no-padding: MALFORMED_KEY, the key never printed", async () => {
    expect(pythonOutcome("edge-cases/key-no-padding.token")).toBe("key_rejected");
    const { dir, keyFile } = folderWith("edge-cases/key-no-padding.token", "edge-cases/key-no-padding.key");
    await expectCode(createMallkuSource({ secretsDir: dir, keyFile }).get("k"), "MALFORMED_KEY", [KEY_TEXT.slice(0, 43), KEY_TEXT.slice(0, 12)]);
  });
});
