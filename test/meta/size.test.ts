// Issue 9's limits (AGENTS.md: small files, small functions): no file in src/ over 300 lines and
// no function over 80, except the entries of ALLOWED in scripts/check-size.mjs, each with its reason.
import { afterAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ALLOWED, findOversized, MAX_FILE_LINES, MAX_FUNCTION_LINES, unusedAllowed } from "../../scripts/check-size.mjs";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const found = findOversized(repo);
const list = (xs: { where: string; lines: number; limit: number }[]) => xs.map((f) => `${f.where}: ${f.lines} lines (limit ${f.limit})`).join("\n");

describe("size limits of src/", () => {
  it(`no file over ${MAX_FILE_LINES} lines and no function over ${MAX_FUNCTION_LINES}, except the allowed`, () => {
    const offenders = found.filter((f) => ALLOWED[f.where] === undefined);
    expect(offenders, `split these, or add them to ALLOWED in scripts/check-size.mjs with a reason:\n${list(offenders)}`).toEqual([]);
  });

  it("every ALLOWED entry gives a reason and still names an offender", () => {
    for (const [where, reason] of Object.entries(ALLOWED)) expect(reason.trim(), `reason for ${where}`).not.toBe("");
    expect(unusedAllowed(found), "within the limits now: remove from ALLOWED in scripts/check-size.mjs").toEqual([]);
  });
});

describe("findOversized (the check can fail)", () => {
  const root = mkdtempSync(join(tmpdir(), "hush-size-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  /** A function (or arrow function) of exactly `lines` lines, first to last. */
  const fn = (name: string, lines: number) => [`export function ${name}(): void {`, ...Array.from({ length: lines - 2 }, () => "  void 0;"), "}"];
  const arrow = (name: string, lines: number) => [`export const ${name} = (): void => {`, ...Array.from({ length: lines - 2 }, () => "  void 0;"), "};"];

  it("reports a file one line over, and functions and arrows one line over, by name; not those at the limit", () => {
    mkdirSync(join(root, "src", "deep"), { recursive: true });
    const big = [...fn("atLimit", MAX_FUNCTION_LINES), ...fn("overLimit", MAX_FUNCTION_LINES + 1), ...arrow("overArrow", MAX_FUNCTION_LINES + 1), ...arrow("arrowAtLimit", MAX_FUNCTION_LINES)];
    while (big.length < MAX_FILE_LINES + 1) big.push("// filler");
    writeFileSync(join(root, "src", "deep", "big.ts"), big.join("\n") + "\n");
    writeFileSync(join(root, "src", "at-limit.ts"), Array.from({ length: MAX_FILE_LINES }, () => "// filler").join("\n") + "\n");
    writeFileSync(join(root, "src", "not-ts.js"), Array.from({ length: MAX_FILE_LINES + 5 }, () => "// filler").join("\n"));
    const where = (p: string) => join("src", "deep", p);
    expect(findOversized(root).sort((a, b) => a.where.localeCompare(b.where))).toEqual([
      { where: where("big.ts"), lines: big.length, limit: MAX_FILE_LINES },
      { where: `${where("big.ts")}#overArrow`, lines: MAX_FUNCTION_LINES + 1, limit: MAX_FUNCTION_LINES },
      { where: `${where("big.ts")}#overLimit`, lines: MAX_FUNCTION_LINES + 1, limit: MAX_FUNCTION_LINES },
    ]);
  });
});
