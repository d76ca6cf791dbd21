/**
 * The hush.yaml example in each built-in source's header comment is valid: the mallku header once
 * showed `secretsDir:` and `permissions:` at the entry's top level, which the validator refuses.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { validateConfig } from "../../src/config/validate.js";
import { listSourceTypes } from "../../src/sources/registry.js";

/** The first ```yaml block of the file's first comment, without the ` * ` margins. */
function headerExample(type: string): string {
  const text = readFileSync(fileURLToPath(new URL(`../../src/sources/${type}.ts`, import.meta.url)), "utf8");
  const header = text.slice(0, text.indexOf("*/"));
  const block = /```yaml\n([\s\S]*?)\n \* ```/.exec(header);
  if (!block) throw new Error(`src/sources/${type}.ts has no yaml example in its header`);
  return block[1]!.replace(/^ \* ?/gm, "");
}

describe("source headers", () => {
  for (const { type } of listSourceTypes()) {
    it(`${type}: the example entry validates and names the type`, () => {
      const config = validateConfig({ version: 1, ...(parse(headerExample(type)) as object) });
      expect(config.sources?.map((s) => s.type)).toEqual([type]);
    });
  }
});
