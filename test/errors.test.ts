import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ERROR_CODES, HushError, hintFor } from "../src/errors.js";
import { EXIT_CODES } from "../src/cli/exit-codes.js";

describe("HushError", () => {
  it("every code has a one-line hint and an exit code", () => {
    expect(ERROR_CODES.length).toBeGreaterThan(20);
    for (const code of ERROR_CODES) {
      expect(hintFor(code), code).toMatch(/^[^\n]{10,200}$/);
      expect(EXIT_CODES[code], code).toBeGreaterThan(0);
    }
    expect(Object.keys(EXIT_CODES).sort()).toEqual([...ERROR_CODES].sort());
  });

  it("every code is raised somewhere in src/ (no dead codes in the union, the hints or the exit table)", () => {
    // DELETED is part of the source contract (the conformance suite): a deleted or destroyed
    // latest version reads as DELETED. SOURCE_UNAVAILABLE likewise: a backend that cannot be
    // reached is that error, never "not found" (plug-in sources raise it through the public API).
    // ACCESS_DENIED too: a backend that refuses the credentials. The cloud sources raise all
    // three; none of today's built-in sources has a backend to lose (the manager matches them).
    const contractOnly = new Set(["DELETED", "SOURCE_UNAVAILABLE", "ACCESS_DENIED"]);
    const text = sourceFiles("src")
      .filter((f) => !f.endsWith("src/errors.ts") && !f.endsWith("src/cli/exit-codes.ts"))
      .map((f) => readFileSync(f, "utf8"))
      .join("\n");
    // Raised means constructed: `new HushError("CODE"`, not merely named in a comparison.
    const unused = ERROR_CODES.filter((code) => !contractOnly.has(code) && !text.includes(`HushError("${code}"`));
    expect(unused).toEqual([]);
  });

  it("keeps a foreign cause's code, never its message", () => {
    const cause = Object.assign(new Error("ENOSPC: no space, while writing sk-CANARY-in-cause"), { code: "ENOSPC" });
    const e = new HushError("WRITE_FAILED", "The write of /x/dev.store failed.", { cause });
    expect(e.causeCode).toBe("ENOSPC");
    for (const text of [e.message, String(e), JSON.stringify(e), e.hint]) expect(text).not.toContain("CANARY");
    // The errno is added to the message once, before its final period; a foreign name is not.
    expect(String(e)).toBe("HushError [WRITE_FAILED]: The write of /x/dev.store failed (ENOSPC).");
    expect(JSON.parse(JSON.stringify(e))).toEqual({ name: "HushError", code: "WRITE_FAILED", message: "The write of /x/dev.store failed (ENOSPC).", hint: hintFor("WRITE_FAILED"), causeCode: "ENOSPC" });
    expect(new HushError("WRITE_FAILED", "fsync failed (EIO).", { cause: { code: "EIO" } }).message).toBe("fsync failed (EIO).");
    expect(new HushError("INTERNAL", "Unexpected.", { cause: new SyntaxError("x") }).message).toBe("Unexpected.");
  });

  it("pins the wording of the hints users see most", () => {
    expect(hintFor("NOT_FOUND")).toBe("Set it with `hush set NAME`, or provide it through the environment or a .env file.");
    expect(hintFor("WRONG_KEY")).toBe("The key does not open this store; use the key file this store was written with.");
    expect(hintFor("INSECURE_PERMISSIONS")).toBe("Others can access a secrets file; run the chmod in the message.");
  });
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? sourceFiles(join(dir, d.name)) : d.name.endsWith(".ts") ? [join(dir, d.name)] : []));
}
