// The yaml package must not be imported for a missing or all-comment hush.yaml (start-up cost of
// `hush run` / `get`): here importing it fails the test.
import { expect, it, vi } from "vitest";
import { parseConfigText } from "../../src/config/load.js";
import { configTemplate } from "../../src/config/template.js";

vi.mock("yaml", () => {
  throw new Error("yaml was imported");
});

it("does not import yaml for the commented template", async () => {
  expect((await parseConfigText(configTemplate("prod"))).problems).toEqual([]);
  expect((await parseConfigText("")).problems).toEqual([]);
  await expect(parseConfigText("version: 1\n")).rejects.toThrow();
});
