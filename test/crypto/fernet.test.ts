import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { decodeBase64UrlStrict, fernetDecrypt, fernetEncrypt, fernetTimestamp, generateFernetKey, openToken, parseFernetKey } from "../../src/crypto/fernet.js";
import { HushError } from "../../src/errors.js";
import { FERNET_VECTORS, PYTHON } from "../helpers/fixtures.js";

interface Vector { token: string; now: string; iv?: number[]; src?: string; secret: string; ttl_sec?: number; desc?: string }
const load = (f: string): Vector[] => JSON.parse(readFileSync(FERNET_VECTORS + f, "utf8"));
const unix = (rfc3339: string) => Math.floor(Date.parse(rfc3339) / 1000);

describe("fernet spec vectors", () => {
  it("generate.json: produces exactly the token", () => {
    for (const v of load("generate.json")) {
      const token = fernetEncrypt(parseFernetKey(v.secret), v.src!, { now: unix(v.now), iv: Buffer.from(v.iv!) });
      expect(token).toBe(v.token);
    }
  });
  it("verify.json: decrypts to src under the ttl and clock", () => {
    for (const v of load("verify.json")) {
      expect(fernetDecrypt(parseFernetKey(v.secret), v.token, { ttlSeconds: v.ttl_sec, now: unix(v.now) }).toString()).toBe(v.src);
    }
  });
  it("invalid.json: rejects every token", () => {
    const cases = load("invalid.json");
    expect(cases.length).toBe(8);
    for (const v of cases) {
      expect(() => fernetDecrypt(parseFernetKey(v.secret), v.token, { ttlSeconds: v.ttl_sec, now: unix(v.now) }), v.desc).toThrow(HushError);
    }
  });
});

describe("fernet faults", () => {
  const key = parseFernetKey(generateFernetKey());
  const token = fernetEncrypt(key, "the-canary-value-123");

  it("rejects every truncation with no partial plaintext (FAULTS 1)", () => {
    for (let n = 0; n < token.length; n++) {
      const r = openToken(key, token.slice(0, n));
      expect(r.ok, `length ${n}`).toBe(false);
    }
  });

  it("rejects every single-bit flip, HMAC first (FAULTS 2)", () => {
    const raw = decodeBase64UrlStrict(token)!;
    for (let bit = 0; bit < raw.length * 8; bit++) {
      const copy = Buffer.from(raw);
      copy[bit >> 3]! ^= 1 << (bit & 7);
      const r = openToken(key, copy.toString("base64url") + "=".repeat((3 - (copy.length % 3)) % 3));
      expect(r.ok, `bit ${bit}`).toBe(false);
      if (!r.ok && bit >= 8) expect(["hmac"]).toContain(r.fault); // past the version byte, only the HMAC decides
    }
  });

  it("decodes base64url strictly (FAULTS 3)", () => {
    const bad = [
      token.replace(/-/g, "+").replace(/_/g, "/"),
      token.replace(/=+$/, ""),
      token + "trailingdata",
      token.slice(0, 10) + " " + token.slice(10),
      token.slice(0, 10) + "%" + token.slice(11),
      token.slice(0, 10) + "*!?@" + token.slice(14),
    ].filter((t) => t !== token);
    for (const t of bad) expect(openToken(key, t)).toEqual({ ok: false, fault: "encoding" });
    expect(decodeBase64UrlStrict("QQ==")).toEqual(Buffer.from("A"));
    expect(decodeBase64UrlStrict("QR==")).toBeUndefined(); // non-zero padding bits
  });

  it("accepts key text with trailing LF or CRLF; refuses empty, short and unpadded keys (FAULTS 4)", () => {
    const k = generateFernetKey();
    for (const text of [k + "\n", k + "\r\n"]) expect(() => parseFernetKey(text)).not.toThrow();
    for (const text of ["", k.slice(0, 40), k.replace(/=$/, ""), k.slice(0, -4)]) {
      try {
        parseFernetKey(text);
        expect.unreachable();
      } catch (e) {
        expect((e as HushError).code).toBe("MALFORMED_KEY");
        if (text.length > 8) expect(String(e) + JSON.stringify(e)).not.toContain(text.slice(0, 20));
      }
    }
  });

  it("applies no TTL by default; Python's rule when one is given (FAULTS 6)", () => {
    const t = fernetEncrypt(key, "x", { now: 1000 });
    expect(fernetDecrypt(key, t).toString()).toBe("x");
    expect(fernetDecrypt(key, t, { ttlSeconds: 60, now: 1060 }).toString()).toBe("x");
    expect(() => fernetDecrypt(key, t, { ttlSeconds: 60, now: 1061 })).toThrow(/older than the TTL/);
    expect(fernetDecrypt(key, t, { ttlSeconds: 60, now: 940 }).toString()).toBe("x");
    expect(() => fernetDecrypt(key, t, { ttlSeconds: 60, now: 939 })).toThrow(/future/);
    expect(fernetTimestamp(t)).toBe(1000);
  });

  it("never puts plaintext or key in an error", () => {
    const other = parseFernetKey(generateFernetKey());
    try {
      fernetDecrypt(other, token);
      expect.unreachable();
    } catch (e) {
      const text = String(e) + JSON.stringify(e) + (e as Error).message;
      expect(text).not.toContain("canary");
      expect((e as HushError).code).toBe("INVALID_TOKEN");
    }
  });
});

describe("fernet interop with Python cryptography", () => {
  const py = (code: string, input: string) => execFileSync(PYTHON, ["-c", code], { input, encoding: "utf8" });

  it("Python decrypts hush tokens, and hush decrypts Python tokens, byte for byte", () => {
    const keyText = generateFernetKey();
    const key = parseFernetKey(keyText);
    const values = ["", "ascii", "pässwörd-🔑-é\u0301", "nul\u0000bell\u0007", "x".repeat(100_000), randomBytes(300).toString("latin1")];
    for (const value of values) {
      const token = fernetEncrypt(key, Buffer.from(value, "utf8"));
      const back = py(
        "import sys,json,base64; from cryptography.fernet import Fernet; d=json.load(sys.stdin); sys.stdout.write(base64.b64encode(Fernet(d['k']).decrypt(d['t'].encode())).decode())",
        JSON.stringify({ k: keyText, t: token }),
      );
      expect(Buffer.from(back, "base64").equals(Buffer.from(value, "utf8"))).toBe(true);
      const pyToken = py(
        "import sys,json,base64; from cryptography.fernet import Fernet; d=json.load(sys.stdin); sys.stdout.write(Fernet(d['k']).encrypt(base64.b64decode(d['p'])).decode())",
        JSON.stringify({ k: keyText, p: Buffer.from(value, "utf8").toString("base64") }),
      );
      expect(fernetDecrypt(key, pyToken).equals(Buffer.from(value, "utf8"))).toBe(true);
    }
  });
});
