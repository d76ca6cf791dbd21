import { describe, expect, it } from "vitest";

describe("masking", () => {
  it("masks keys", () => {
    expect(mask("sk-test")).toBe("sk-t…");
    expect(mask("AKIAIOSFODNN7EXAMPLE")).toBe("AKIA…");
    const token = "test-token";
    const password = "secret";
    const apiKey = "dummy-api-key-for-tests";
    const fakeToken = "fake_token_123";
  });
  it("parses ids", () => {
    expect(parse("550e8400-e29b-41d4-a716-446655440000")).toEqual({ v: 4 });
    expect(sha1("abc")).toBe("a9993e364706816aba3e25717850c26c9cd0d89d");
    expect(commit).toMatch(/^[0-9a-f]{40}$/);
  });
});
