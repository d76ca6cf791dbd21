/**
 * Files the scanner used to pass without reading (issue 11, FAULTS 30): a file larger than the
 * old 64 MiB limit, a single leading NUL byte, UTF-16 without a byte-order mark; and the
 * windowed scan finding exactly what a whole-text scan finds, across window boundaries.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { scan } from "../../src/scan/scan.js";
import { createDetector } from "../../src/scan/detect.js";
import { managedVariants } from "../../src/scan/managed.js";
import { scanWindows } from "../../src/scan/windows.js";
import { LineIndex, sniffEncoding } from "../../src/scan/text.js";
import { FAKE } from "./fakes.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "hush-scan-large-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});
const where = (r: Awaited<ReturnType<typeof scan>>) => r.findings.map((f) => `${f.path}:${f.line}:${f.column}:${f.ruleId ?? f.secretName}`).sort();

describe("scan: what used to be skipped is scanned", () => {
  it("a single leading NUL byte does not make a file binary", async () => {
    const key = FAKE["github-token"]!();
    writeFileSync(join(dir, "nul.txt"), Buffer.concat([Buffer.from([0]), Buffer.from(`token = "${key}"\n`)]));
    const r = await scan({ cwd: dir });
    expect(where(r)).toEqual(["nul.txt:1:11:github-token"]);
    expect(r.stats.skippedBinary).toBe(0);
    expect(JSON.stringify(r)).not.toContain(key);
  });

  it("UTF-16 LE and BE without a byte-order mark are decoded, not skipped", async () => {
    const key = FAKE["stripe-secret-key"]!();
    writeFileSync(join(dir, "le.txt"), Buffer.from(`first line\nKEY=${key}\n`, "utf16le"));
    writeFileSync(join(dir, "be.txt"), Buffer.from(`KEY=${key}\n`, "utf16le").swap16());
    const r = await scan({ cwd: dir });
    expect(where(r)).toEqual(["be.txt:1:5:stripe-secret-key", "le.txt:2:5:stripe-secret-key"]);
    expect(sniffEncoding(Buffer.from("plain ascii text", "utf16le"))).toEqual({ encoding: "utf16le", bom: 0 });
  });

  it("real binary is still skipped: an ELF header, random bytes", async () => {
    const elf = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0x3e, 0, 1, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0]);
    expect(sniffEncoding(Buffer.concat([elf, Buffer.alloc(64)]))).toBeUndefined();
    const noise = Buffer.alloc(8192);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919 + (i >> 3) * 104729) & 0xff;
    expect(sniffEncoding(noise)).toBeUndefined();
  });

  it("a 70 MB file with a key near its end is scanned (streamed), not skipped", async () => {
    const key = FAKE["aws-access-key-id"]?.() ?? FAKE["github-token"]!();
    const path = join(dir, "dump.sql");
    const fd = openSync(path, "w");
    const line = "INSERT INTO t VALUES (1, 'just some ordinary text in a database dump');\n";
    const block = Buffer.from(line.repeat(Math.floor((1 << 20) / line.length)));
    let lines = 0;
    for (let i = 0; i < 70; i++) {
      writeSync(fd, block);
      lines += block.length / line.length;
    }
    writeSync(fd, `token = "${key}"\n`);
    closeSync(fd);
    const r = await scan({ cwd: dir });
    expect(r.issues).toEqual([]);
    expect(r.findings.map((f) => `${f.line}:${f.column}`)).toEqual([`${lines + 1}:10`]);
    expect(JSON.stringify(r)).not.toContain(key);
  }, 60_000);
});

describe("scanWindows: the same findings as a whole-text scan, across boundaries", () => {
  it("finds keys and managed values that straddle windows, once each, at the right line and column", async () => {
    const managedValue = "mv-" + "Zq8Lw2xK4pR7tY1u".repeat(12); // 195 characters
    const detector = createDetector({ managed: managedVariants([["long_secret", managedValue]]) });
    const parts: string[] = [];
    for (let i = 0; i < 60; i++) {
      parts.push(`line ${i} ${"é".repeat(i % 7)} ${"x".repeat(1500 + ((i * 997) % 3000))}\n`);
      if (i % 3 === 0) parts.push(`token = "${FAKE["github-token"]!()}"\n`);
      if (i % 4 === 1) parts.push(`pw: ${managedValue}; b64 ${Buffer.from(managedValue).toString("base64")}\n`);
    }
    const text = parts.join("");
    const whole = detector.detect(text).map((f) => {
      const at = new LineIndex(text).locate(f.offset);
      return `${at.line}:${at.column}:${f.ruleId ?? f.secretName}`;
    });
    const bytes = Buffer.from(text);
    // Chunks of odd sizes, and a window small enough for dozens of boundaries.
    const chunks: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += 777) chunks.push(bytes.subarray(at, at + 777));
    const windowed = await scanWindows(chunks, detector, 5000);
    expect(windowed.binary).toBe(false);
    expect(windowed.bytes).toBe(bytes.length);
    expect(windowed.findings.map((p) => `${p.line}:${p.column}:${p.finding.ruleId ?? p.finding.secretName}`)).toEqual(whole);
    expect(whole.length).toBeGreaterThan(40);
  });
});
