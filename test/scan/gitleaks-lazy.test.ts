/**
 * The TOML parser (smol-toml, bundled) and the gitleaks loader are lazy chunks of dist/: no entry
 * point holds them, and every reference to them is a dynamic import, so only a scan that uses a
 * gitleaks file loads them. dist/ is built by test/global-setup.ts.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const DIST = join(import.meta.dirname, "../../dist");
const files = [...readdirSync(DIST).filter((f) => f.endsWith(".js")), ...readdirSync(join(DIST, "chunks")).map((f) => `chunks/${f}`)];
const text = (f: string) => readFileSync(join(DIST, f), "utf8");

/** Files that reference `chunk` (by its file name), and whether any does so statically. */
function referrers(chunk: string): { file: string; static: boolean }[] {
  const name = chunk.replace(/^chunks\//, "");
  return files.filter((f) => f !== chunk && text(f).includes(name)).map((file) => ({ file, static: new RegExp(`from\\s*["']\\./${name.replace(".", "\\.")}["']`).test(text(file)) }));
}

describe("the gitleaks code is loaded lazily", () => {
  it("smol-toml and the loader sit in chunks that only dynamic imports reach", () => {
    const toml = files.filter((f) => text(f).includes("Invalid TOML document"));
    expect(toml).toHaveLength(1);
    expect(toml[0]).toMatch(/^chunks\//);
    const loader = files.filter((f) => text(f).includes("is not valid TOML"));
    expect(loader).toHaveLength(1);
    for (const chunk of [toml[0]!, loader[0]!]) {
      const refs = referrers(chunk);
      expect(refs.length, chunk).toBeGreaterThan(0);
      expect(refs.filter((r) => r.static), chunk).toEqual([]);
    }
    for (const entry of ["cli.js", "cli-run.js", "run-cli.js", "index.js", "config.js"]) expect(text(entry)).not.toContain("Invalid TOML document");
  });
});
