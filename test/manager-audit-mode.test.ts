import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

describe("the audit mode", () => {
  it("is defined once (src/types.ts); the manager's hook, the auditor and hush.yaml's `audit:` use that definition", () => {
    const definitions: string[] = [];
    for (const file of sourceFiles("src")) {
      const text = readFileSync(file, "utf8");
      if (/type AuditMode\s*=/.test(text)) definitions.push(`${file}: AuditMode`);
      // A literal union of the modes spelled out again, e.g. `mode?: "best-effort" | "required"`.
      if (/"best-effort"\s*\|\s*"required"/.test(text)) definitions.push(`${file}: literal union`);
    }
    expect(definitions).toEqual([join("src", "types.ts") + ": AuditMode", join("src", "types.ts") + ": literal union"]);
  });
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? sourceFiles(join(dir, d.name)) : d.name.endsWith(".ts") ? [join(dir, d.name)] : []));
}
