import { describe, expect, it } from "vitest";
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

  it("stream: holds back less than the longest value", async () => {
    const stream = createRedactStream({ k: KEY });
    const got: Buffer[] = [];
    stream.on("data", (c: Buffer) => got.push(c));
    stream.write(Buffer.from("x".repeat(100)));
    await new Promise((r) => setImmediate(r));
    expect(Buffer.concat(got).length).toBe(100 - (KEY.length - 1));
    stream.end();
    await new Promise((r) => stream.on("end", r));
    expect(Buffer.concat(got).toString()).toBe("x".repeat(100));
  });
});
