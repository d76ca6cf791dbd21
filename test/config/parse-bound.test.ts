/**
 * A hush.yaml under the 1 MiB limit can still hold 60,000 keys, which the YAML parser takes
 * minutes over (issue 11): the text is bounded by its node count before the parser sees it.
 */
import { describe, expect, it } from "vitest";
import { MAX_CONFIG_BYTES, MAX_CONFIG_NODES, parseConfigText } from "../../src/config/load.js";
import { CANARY, expectNoCanary, hushIn, tempProject } from "./temp-project.js";

const secrets = (n: number) => "version: 1\nsecrets:\n" + Array.from({ length: n }, (_, i) => `  k${i}: {}\n`).join("");

describe("hush.yaml: the parse is bounded by node count", () => {
  it("60,000 keys in 770 KB: refused before parsing, with the limit named", async () => {
    const text = secrets(60_000);
    expect(text.length).toBeLessThan(MAX_CONFIG_BYTES);
    const r = await parseConfigText(text);
    expect(r.config).toBeUndefined();
    expect(r.problems).toEqual([{ path: "", message: `the file has more than ${MAX_CONFIG_NODES} keys, list items or commas; hush.yaml is not meant to be that large.` }]);
  });

  it("flow style counts too ({a: 1, b: 2, ...} on one line)", async () => {
    const text = `version: 1\nsecrets: {${Array.from({ length: MAX_CONFIG_NODES + 1 }, (_, i) => `k${i}: {}`).join(", ")}}\n`;
    expect((await parseConfigText(text)).problems[0]?.message).toContain(`more than ${MAX_CONFIG_NODES}`);
  });

  it("a config of 500 secrets with a few fields each is accepted", async () => {
    const text = "version: 1\nsecrets:\n" + Array.from({ length: 500 }, (_, i) => `  k${i}:\n    type: generic\n    description: "the key, used by: a, b"\n`).join("");
    const r = await parseConfigText(text);
    expect(r.problems).toEqual([]);
  });

  it("the CLI says CONFIG_INVALID (exit 3), and no value from the file", async () => {
    const dir = tempProject({ "hush.yaml": secrets(60_000) + `  pasted: { description: "${CANARY}" }\n` });
    const r = await hushIn(dir, ["list"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`more than ${MAX_CONFIG_NODES} keys`);
    expectNoCanary(r);
  });
});
