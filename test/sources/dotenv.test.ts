import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { parse } from "dotenv";
import { createDotenvSource } from "../../src/sources/dotenv.js";
import { envName, findCollisions, isValidName } from "../../src/names.js";
import { HushError } from "../../src/errors.js";
import { describeSourceConformance, noRemoteBackend } from "./conformance/suite.js";

/** Writes a value the way a person would in a .env file: double quotes, escaped newlines. */
function dotenvLine(key: string, value: string): string {
  if (!/["\n\\]/.test(value) && !value.includes("'")) return `${key}='${value}'`;
  if (!value.includes("`")) return `${key}=\`${value}\``;
  return `${key}="${value.replace(/\n/g, "\\n")}"`;
}

describeSourceConformance(
  "dotenv",
  {
    async create() {
      const dir = mkdtempSync(join(tmpdir(), "hush-dotenv-"));
      return {
        source: createDotenvSource({ cwd: dir }),
        async seed(values) {
          writeFileSync(join(dir, ".env"), Object.entries(values).map(([k, v]) => dotenvLine(envName(k), v)).join("\n") + "\n");
        },
        async breakIt() {
          // Two spellings of one variable in the file: refused, naming both.
          writeFileSync(join(dir, ".env"), "db.url=CANARY-a\nDB_URL=CANARY-b\n");
        },
        async cleanup() {
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    skips: {
      ...noRemoteBackend("a .env file"),
      setMany: "read-only: no batch write",
      write: "read-only: hush does not write plaintext files",
      versions: "a .env file holds one value per variable",
      watch: "no change notification: files are re-checked on the next read instead",
      denied: "a local file has no credentials to refuse; an unreadable file is READ_FAILED (tested below)",
      deleted: "no versions: a variable is in the file or not",
      concurrent: "read-only: no set (people edit .env files by hand)",
      dispose: "holds no connection or watcher to release",
    },
  },
);

describe("dotenv source", () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it(".env.<environment> wins over .env, and changes are seen without a restart", async () => {
    dir = mkdtempSync(join(tmpdir(), "hush-dotenv-"));
    writeFileSync(join(dir, ".env"), "A=base\nB=base\n");
    writeFileSync(join(dir, ".env.prod"), "B=prod\n");
    const s = createDotenvSource({ cwd: dir, environment: "prod" });
    expect((await s.get("a"))?.value).toBe("base");
    expect((await s.get("b"))?.value).toBe("prod");
    writeFileSync(join(dir, ".env"), "A=changed-and-longer\n");
    await new Promise((r) => setImmediate(r)); // files are checked at most once per event-loop turn
    expect((await s.get("a"))?.value).toBe("changed-and-longer");
  });

  it("refuses two keys mapping to one variable, naming both", async () => {
    dir = mkdtempSync(join(tmpdir(), "hush-dotenv-"));
    writeFileSync(join(dir, ".env"), "db.url=x\nDB_URL=y\n");
    await expect(createDotenvSource({ cwd: dir }).get("db_url")).rejects.toThrow(/"db.url" and "DB_URL"/);
  });

  it("never serves dotenvx ciphertext as a value: INVALID_VALUE naming the key, never the text; other keys still read", async () => {
    dir = mkdtempSync(join(tmpdir(), "hush-dotenv-"));
    const cipher = "encrypted:BDqDBibm4wsYqMpCjTQ6BsDHmMadg9K3dAt+Z9HPMfLEIRVz50hmLXPXRuDBXaJi";
    writeFileSync(join(dir, ".env"), `DOTENV_PUBLIC_KEY="03eaf2"
OPENAI_API_KEY="${cipher}"
PLAIN=ok
`);
    const s = createDotenvSource({ cwd: dir });
    const error = await s.get("openai_api_key").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HushError);
    expect((error as HushError).code).toBe("INVALID_VALUE");
    expect((error as HushError).message).toContain("OPENAI_API_KEY");
    expect(`${(error as HushError).message} ${(error as HushError).hint}`).not.toContain(cipher.slice(10, 30));
    expect((await s.get("plain"))?.value).toBe("ok");
  });

  it("parses exactly as the dotenv package (differential property test)", async () => {
    dir = mkdtempSync(join(tmpdir(), "hush-dotenv-"));
    const key = fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,15}$/);
    const raw = fc.string({ unit: fc.constantFrom("a", "b", " ", "#", "=", "'", '"', "`", "\\", "n", "\n", "\r", "é", "$", "{", "}", "\t", "export ") , maxLength: 40 });
    const lines = fc.array(fc.tuple(key, raw, fc.constantFrom("", "'", '"', "`")), { maxLength: 12 });
    await fc.assert(
      fc.asyncProperty(lines, fc.constantFrom("\n", "\r\n"), async (entries, eol) => {
        const text = entries.map(([k, v, q]) => `${k}=${q}${v}${q}`).join(eol);
        writeFileSync(join(dir, ".env"), text);
        const expected = parse(text);
        const source = createDotenvSource({ cwd: dir });
        const upper = new Map<string, string>();
        for (const [k, v] of Object.entries(expected)) if (isValidName(k)) upper.set(envName(k), v);
        // Two keys for one variable (`a` and `A`, which a value's newline can make): an error, never last-wins.
        if (findCollisions(Object.keys(expected).filter(isValidName)).length > 0) {
          await expect(source.get("a")).rejects.toMatchObject({ code: "NAME_COLLISION" });
          return;
        }
        for (const [k, v] of upper) expect((await source.get(k.toLowerCase()))?.value).toBe(v);
      }),
      { numRuns: 200 },
    );
  });

  it("a read failure is an error, not 'not found'", async () => {
    dir = mkdtempSync(join(tmpdir(), "hush-dotenv-"));
    const s = createDotenvSource({ cwd: dir, files: ["."] }); // a directory: EISDIR
    await expect(s.get("a")).rejects.toBeInstanceOf(HushError);
  });
});
