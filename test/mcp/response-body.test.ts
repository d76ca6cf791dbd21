// Reply bodies for tool results: text when it is text, base64 otherwise, cut at a limit.
import { describe, expect, it } from "vitest";
import { toToolBody } from "../../src/mcp/response-body.js";
import { checkRequestHeaders, isCredentialHeader } from "../../src/mcp/request-headers.js";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("toToolBody", () => {
  it("text: JSON, no content type, a +json vendor type", () => {
    expect(toToolBody(bytes('{"a":1}'), "application/json", 100)).toEqual({ body: '{"a":1}', encoding: "text", bytes: 7, truncated: false });
    expect(toToolBody(bytes("plain\ttext\r\n"), undefined, 100).encoding).toBe("text");
    expect(toToolBody(bytes("{}"), "application/vnd.api+json", 100).encoding).toBe("text");
  });

  it("the charset the content type names", () => {
    expect(toToolBody(Uint8Array.from([0x63, 0x61, 0x66, 0xe9]), "text/plain; charset=ISO-8859-1", 100)).toMatchObject({ body: "café", encoding: "text" });
  });

  it("base64: a binary type, invalid UTF-8, NUL bytes, an unknown charset", () => {
    expect(toToolBody(bytes("abc"), "application/octet-stream", 100)).toMatchObject({ body: "YWJj", encoding: "base64" });
    expect(toToolBody(Uint8Array.from([0xff, 0xfe, 0x41]), undefined, 100).encoding).toBe("base64");
    expect(toToolBody(Uint8Array.from([0x41, 0, 0x42]), undefined, 100).encoding).toBe("base64");
    expect(toToolBody(bytes("abc"), "text/plain; charset=x-no-such", 100).encoding).toBe("base64");
  });

  it("cuts at the limit, inside a character too", () => {
    expect(toToolBody(bytes("aé"), "text/plain", 2)).toEqual({ body: "a", encoding: "text", bytes: 3, truncated: true });
    expect(toToolBody(Uint8Array.from([1, 2, 3, 4]), "image/png", 3)).toEqual({ body: "AQID", encoding: "base64", bytes: 4, truncated: true });
  });
});

describe("request headers", () => {
  it("credential headers by name and by convention; not Idempotency-Key", () => {
    for (const name of ["Authorization", "cookie", "X-API-Key", "api_key", "X-Goog-Api-Key", "private-token", "x-vault-token", "X-Session-Id", "x-client-secret", "x-access-key"]) expect(isCredentialHeader(name), name).toBe(true);
    for (const name of ["Idempotency-Key", "Content-Type", "Accept", "anthropic-version", "openai-organization", "user-agent", "x-request-id"]) expect(isCredentialHeader(name), name).toBe(false);
  });

  it("the route's own key header is refused; a name given twice is refused", () => {
    expect(checkRequestHeaders({ "X-Custom": "v" }, "x-custom")).toMatchObject({ refused: "X-Custom" });
    expect(checkRequestHeaders({ Accept: "a", accept: "b" })).toMatchObject({ refused: "accept" });
    expect(checkRequestHeaders({ Accept: "a", "Proxy-Connection": "x", TE: "trailers" })).toEqual({ headers: { accept: "a" }, dropped: ["Proxy-Connection", "TE"] });
  });
});
