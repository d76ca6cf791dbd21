// The CLI's only door into the library is src/index.ts: eslint.config.js fails the lint when a
// file under src/cli/ imports anything else of src/ (issue 9). Checked with ESLint's Node API.
import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const eslint = new ESLint({ cwd: ROOT });

async function problems(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe("the CLI imports the library through its public entry only", () => {
  it("an internal module imported by a command fails the lint", async () => {
    const found = await problems('import { createSecretsManager } from "../../manager.js";\nexport const m = createSecretsManager;\n', "src/cli/commands/example.ts");
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^no-restricted-imports: .*public entry/);
  });

  it("so do a type-only import, a re-export, a dynamic import, and one from src/cli/ itself", async () => {
    const code = [
      'import type { LoadedConfig } from "../../config/types.js";',
      'export { scan } from "../../scan/scan.js";',
      'export const load = () => import("../../adapters/registry.js");',
      "export type X = LoadedConfig;",
      "",
    ].join("\n");
    const found = await problems(code, "src/cli/commands/example.ts");
    expect(found.map((f) => f.split(":")[0])).toEqual(["no-restricted-imports", "no-restricted-imports", "no-restricted-syntax"]);
    expect(await problems('import { HushError } from "../errors.js";\nexport const E = HushError;\n', "src/cli/example.ts")).toHaveLength(1);
    expect(await problems('import { x } from "../../src/index.js";\nexport const y = x;\n', "src/cli/example.ts")).toHaveLength(1);
  });

  it("the public entry, other CLI files, node: built-ins and packages pass", async () => {
    const command = [
      'import type { Command } from "commander";',
      'import { readFileSync } from "node:fs";',
      'import { HushError } from "../../index.js";',
      'import { out } from "../context.js";',
      'import { helper } from "./helper.js";',
      "export const all = [HushError, out, helper, readFileSync] as const;",
      "export type C = Command;",
      "",
    ].join("\n");
    expect(await problems(command, "src/cli/commands/example.ts")).toEqual([]);
    expect(await problems('import { VERSION } from "../index.js";\nexport const v = VERSION;\n', "src/cli/example.ts")).toEqual([]);
  });

  it("outside src/cli/ the rule does not apply", async () => {
    expect(await problems('import { canonicalName } from "../names.js";\nexport const c = canonicalName;\n', "src/config/example.ts")).toEqual([]);
  });
});
