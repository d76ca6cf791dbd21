import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Readable } from "node:stream";
import { createRedactStream, redact } from "../../src/scan/redact.js";
import { ALNUM, rand } from "./fakes.js";

async function through(values: Map<string, string>, chunks: (string | Buffer)[]): Promise<string> {
  const out: Buffer[] = [];
  const stream = Readable.from(chunks.map((c) => (typeof c === "string" ? Buffer.from(c) : c))).pipe(createRedactStream(values));
  for await (const c of stream) out.push(c as Buffer);
  return Buffer.concat(out).toString("utf8");
}

const KEY = "sk-" + rand(ALNUM, 30);
const PW = "pässwörd-" + rand(ALNUM, 8); // non-ASCII: its UTF-8 bytes may be split too

describe("redact", () => {
  it("replaces every value in a string", () => {
    expect(redact(`a ${KEY} b ${KEY}`, { openai_api_key: KEY })).toBe("a [REDACTED:openai_api_key] b [REDACTED:openai_api_key]");
  });

  it("prefers the longer of two overlapping values", () => {
    expect(redact(`x=${KEY}-suffix`, new Map([["short", KEY], ["long", `${KEY}-suffix`]]))).toBe("x=[REDACTED:long]");
  });

  it("replaces a multi-line value whole, and each of its lines alone", () => {
    const pem = `-----BEGIN PRIVATE KEY-----\n${rand(ALNUM, 64)}\n${rand(ALNUM, 40)}\n-----END PRIVATE KEY-----`;
    const lines = pem.split("\n");
    expect(redact(`key:\n${pem}\n`, { tls_key: pem })).toBe("key:\n[REDACTED:tls_key]\n");
    const crlf = redact(pem.replace(/\n/g, "\r\n"), { tls_key: pem });
    expect(crlf).not.toContain(lines[1]);
    expect(crlf).not.toContain(lines[2]);
    expect(crlf.match(/\[REDACTED:tls_key\]/g)?.length).toBe(4);
  });

  it("leaves values shorter than 6 characters alone", () => {
    expect(redact("port 5432", { port: "5432" })).toBe("port 5432");
  });

  it("stream: redacts a value split across chunks at every position", async () => {
    const text = `start ${KEY} middle ${PW} end`;
    const values = new Map([["openai_api_key", KEY], ["db_password", PW]]);
    const want = "start [REDACTED:openai_api_key] middle [REDACTED:db_password] end";
    const bytes = Buffer.from(text);
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(await through(values, [bytes.subarray(0, cut), bytes.subarray(cut)]), `cut at ${cut}`).toBe(want);
    }
    // And byte by byte.
    expect(await through(values, [...bytes].map((b) => Buffer.from([b])))).toBe(want);
  });

  it("stream: passes binary and text without values through unchanged", async () => {
    const bin = Buffer.from([0, 255, 254, 128, 10, 13, 0xc3]);
    const out: Buffer[] = [];
    for await (const c of Readable.from([bin]).pipe(createRedactStream({ k: KEY }))) out.push(c as Buffer);
    expect(Buffer.concat(out).equals(bin)).toBe(true);
    expect(await through(new Map(), ["plain ", "text"])).toBe("plain text");
  });

  it("stream: holds back only a tail that could still become a value", async () => {
    const stream = createRedactStream({ k: KEY });
    const got: Buffer[] = [];
    stream.on("data", (c: Buffer) => got.push(c));
    const settle = () => new Promise((r) => setImmediate(r));
    stream.write(Buffer.from("x".repeat(100)));
    await settle();
    expect(Buffer.concat(got).toString()).toBe("x".repeat(100)); // nothing could start a value
    stream.write(Buffer.from("Password: "));
    await settle();
    expect(Buffer.concat(got).toString().endsWith("Password: ")).toBe(true); // a prompt shows at once
    stream.write(Buffer.from(`key ${KEY.slice(0, 10)}`));
    await settle();
    expect(Buffer.concat(got).toString().endsWith("key ")).toBe(true); // the start of the key waits
    stream.write(Buffer.from(`${KEY.slice(10)}!`));
    stream.end();
    await new Promise((r) => stream.on("end", r));
    expect(Buffer.concat(got).toString()).toBe(`${"x".repeat(100)}Password: key [REDACTED:k]!`);
  });

  it("stream: equals redact() on the whole text, however the bytes are split (property)", async () => {
    const values = new Map([["a", KEY], ["b", `${KEY}-long`], ["c", PW], ["d", "abcabcab"]]);
    const pieces = [KEY, `${KEY}-long`, PW, "abcabcab", "abcab", KEY.slice(0, 7), "x", " ", "\n", "ab", "é"];
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...pieces), { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 8 }), async (parts, cuts) => {
        const bytes = Buffer.from(parts.join(""));
        const points = [...new Set(cuts.map((c) => (bytes.length ? c % (bytes.length + 1) : 0)))].sort((x, y) => x - y);
        const chunks: Buffer[] = [];
        let at = 0;
        for (const p of points) {
          chunks.push(bytes.subarray(at, p));
          at = p;
        }
        chunks.push(bytes.subarray(at));
        expect(await through(values, chunks)).toBe(redact(bytes.toString("utf8"), values));
      }),
      { numRuns: 300 },
    );
  });
});
