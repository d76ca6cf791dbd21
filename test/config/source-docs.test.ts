/**
 * docs/config.md's source-type tables are the registry's (src/sources/registry-docs.ts). To
 * rewrite them after changing a descriptor: `HUSH_UPDATE_DOCS=1 npx vitest run test/config/source-docs.test.ts`.
 */
import { describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { formatSourceTypesTable } from "../../src/sources/registry-docs.js";

const DOC = fileURLToPath(new URL("../../docs/config.md", import.meta.url));
const START = "<!-- source-types: generated from the source registry; see test/config/source-docs.test.ts -->\n";
const END = "\n<!-- /source-types -->";

describe("docs/config.md", () => {
  it("lists the registry's source types and options, as the registry has them", () => {
    const text = readFileSync(DOC, "utf8");
    const from = text.indexOf(START);
    const to = text.indexOf(END, from);
    expect(from, "docs/config.md has lost its source-types markers").toBeGreaterThan(0);
    expect(to).toBeGreaterThan(from);
    const expected = formatSourceTypesTable();
    if (process.env.HUSH_UPDATE_DOCS === "1") writeFileSync(DOC, text.slice(0, from + START.length) + expected + text.slice(to));
    else expect(text.slice(from + START.length, to), "run: HUSH_UPDATE_DOCS=1 npx vitest run test/config/source-docs.test.ts").toBe(expected);
  });

  it("the table shows every option with its accepted values and default", () => {
    const table = formatSourceTypesTable();
    expect(table).toContain("| `local` | `maxVersions` | 1–1000 | `10` | versions kept per secret |");
    expect(table).toContain("| `local` | `permissions` | strict \\| warn | `strict` |");
    expect(table).toContain("| `dotenv` | `files` | list of paths | `[.env, .env.<environment>]` | files in increasing precedence; replaces `layout` |");
  });
});
