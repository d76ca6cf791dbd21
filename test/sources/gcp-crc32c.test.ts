import { describe, expect, it } from "vitest";
import { crc32c } from "../../src/sources/gcp/crc32c.js";

describe("crc32c", () => {
  it("matches RFC 3720 B.4's vectors and the standard check value", () => {
    expect(crc32c(Buffer.from("123456789"))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(32, 0))).toBe(0x8a9136aa);
    expect(crc32c(Buffer.alloc(32, 0xff))).toBe(0x62a8ab43);
    expect(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => i)))).toBe(0x46dd794e);
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });
});
