import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { scanProject } from "../../src/scan/scan-project.js";
import { HushError } from "../../src/errors.js";
import { FAKE } from "./fakes.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "hush-baseline-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const BASELINE = ".hush/scan-baseline.json";
const run = (extra: { baseline?: string; baselineWrite?: string } = {}) => scanProject({ cwd: dir, managed: false, ...extra });

/** No secret, nor its tail, in any output or file. */
function noValue(text: string, ...secrets: string[]): void {
  for (const s of secrets) expect(text).not.toContain(s.slice(4));
}

describe("scan baselines", () => {
  it("round trip: write, add a new leak, only the new one is reported; a moved line stays accepted", async () => {
    const old1 = FAKE["github-token"]!();
    const old2 = FAKE["openai-api-key"]!();
    writeFileSync(join(dir, "a.ts"), `const a = "${old1}";\n`);
    writeFileSync(join(dir, "b.yaml"), `key: ${old2}\n`);
    const first = await run({ baselineWrite: BASELINE });
    expect(first.findings).toHaveLength(2);
    expect(first.findings.every((f) => /^[0-9a-f]{40}$/.test(f.fingerprint ?? ""))).toBe(true);
    const file = readFileSync(join(dir, BASELINE), "utf8");
    expect(statSync(join(dir, BASELINE)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, ".hush")).mode & 0o777).toBe(0o700);
    noValue(file, old1, old2);
    expect(JSON.parse(file).entries.map((e: { ruleId: string; path: string }) => `${e.path} ${e.ruleId}`)).toEqual(["a.ts github-token", "b.yaml openai-api-key"]);

    const fresh = FAKE["anthropic-api-key"]!();
    // The old leak moves down three lines (and to another column); a new one arrives.
    writeFileSync(join(dir, "a.ts"), `// header\n\n\n  const a = "${old1}";\nconst n = "${fresh}";\n`);
    const second = await run({ baseline: BASELINE });
    expect(second.findings.map((f) => `${f.path}:${f.line} ${f.ruleId}`)).toEqual(["a.ts:5 anthropic-api-key"]);
    expect(second.baselined).toBe(2);
    noValue(JSON.stringify(second), old1, old2, fresh);
  });

  it("the same secret in another file, a second copy in the same file, or another secret under the same rule is new", async () => {
    const old = FAKE["github-token"]!();
    writeFileSync(join(dir, "a.ts"), `x = "${old}"\n`);
    await run({ baselineWrite: BASELINE });
    const other = FAKE["github-token"]!();
    writeFileSync(join(dir, "a.ts"), `x = "${old}"\ny = "${old}"\nz = "${other}"\n`);
    writeFileSync(join(dir, "c.ts"), `x = "${old}"\n`);
    const r = await run({ baseline: BASELINE });
    expect(r.findings.map((f) => `${f.path}:${f.line}`).sort()).toEqual(["a.ts:2", "a.ts:3", "c.ts:1"]);
    expect(r.baselined).toBe(1);
  });

  it("rewriting a baseline keeps its salt, so fingerprints stay stable; a fresh project gets another salt", async () => {
    const key = FAKE["github-token"]!();
    writeFileSync(join(dir, "a.ts"), `x = "${key}"\n`);
    const a = await run({ baselineWrite: BASELINE });
    const b = await run({ baselineWrite: BASELINE });
    expect(b.findings[0]!.fingerprint).toBe(a.findings[0]!.fingerprint);
    const c = await run({ baselineWrite: "other.json" });
    expect(c.findings[0]!.fingerprint).not.toBe(a.findings[0]!.fingerprint);
  });

  it("a missing or malformed baseline is an error, never an empty baseline", async () => {
    const key = FAKE["github-token"]!();
    writeFileSync(join(dir, "a.ts"), `x = "${key}"\n`);
    await expect(run({ baseline: "nope.json" })).rejects.toMatchObject({ code: "READ_FAILED" });
    for (const bad of ["{", JSON.stringify({ format: "other", salt: "", entries: [] }), JSON.stringify({ format: "hush-scan-baseline/v1", salt: "c2hvcnQ=", entries: [] }), JSON.stringify({ format: "hush-scan-baseline/v1", salt: Buffer.alloc(32).toString("base64"), entries: [{ fingerprint: "zz" }] })]) {
      writeFileSync(join(dir, "bad.json"), bad);
      const e = await run({ baseline: "bad.json" }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(HushError);
      expect((e as HushError).code).toBe("READ_FAILED");
      noValue(String(e) + JSON.stringify(e) + (e as HushError).hint, key);
    }
  });

  it("without a baseline option, findings carry no fingerprint and no baselined count", async () => {
    writeFileSync(join(dir, "a.ts"), `x = "${FAKE["github-token"]!()}"\n`);
    const r = await run();
    expect(r.findings[0]!.fingerprint).toBeUndefined();
    expect(r.baselined).toBeUndefined();
  });

  it("the baseline files themselves are not scanned", async () => {
    const key = FAKE["github-token"]!();
    writeFileSync(join(dir, "a.ts"), "clean\n");
    await run({ baselineWrite: BASELINE });
    const b = JSON.parse(readFileSync(join(dir, BASELINE), "utf8"));
    writeFileSync(join(dir, BASELINE), JSON.stringify({ ...b, note: key }));
    const r = await run({ baseline: BASELINE });
    expect(r.findings).toEqual([]);
    const plain = await run();
    expect(plain.findings.map((f) => f.path)).toEqual([BASELINE]); // without the option it is an ordinary file
  });

  it("a file scanned in windows (larger than one) fingerprints as a small one: baselined small, still accepted when it grows", async () => {
    const key = FAKE["github-token"]!();
    writeFileSync(join(dir, "big.log"), `t = "${key}"\n`);
    await run({ baselineWrite: BASELINE });
    const filler = "x".repeat(99) + "\n";
    writeFileSync(join(dir, "big.log"), filler.repeat(90_000) + `t = "${key}"\n`); // 9 MB: windowed
    const r = await run({ baseline: BASELINE });
    expect(r.findings).toEqual([]);
    expect(r.baselined).toBe(1);
  });
});

