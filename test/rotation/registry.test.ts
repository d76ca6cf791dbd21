import { describe, expect, it } from "vitest";
import { checkConfig } from "../../src/config/validate.js";
import { findRotatorType, listRotatorTypes, registerRotatorType } from "../../src/rotation/registry.js";
import { defineRotatorType } from "../../src/rotation/rotator.js";
import { option } from "../../src/config/options-schema.js";
import { HushError } from "../../src/errors.js";

const CANARY = "sk-canary-9f8e7d6c5b4a39281706";

const problemsOf = (rotator: unknown) => checkConfig({ version: 1, secrets: { session_secret: { rotator } } }).problems;

describe("rotator registry", () => {
  it("lists the built-in random rotator", () => {
    expect(listRotatorTypes().map((d) => d.type)).toContain("random");
    expect(findRotatorType("random")?.summary).toMatch(/random/);
  });

  it("registers a rotator type once and removes it again", () => {
    const type = defineRotatorType({ type: "fixed-test", summary: "fixed (tests)", options: { size: option.integer({ min: 1, max: 9, description: "size" }) }, create: () => ({ create: async () => "x" }) });
    const off = registerRotatorType(type);
    try {
      expect(findRotatorType("fixed-test")).toBeDefined();
      expect(() => registerRotatorType(type)).toThrow(HushError);
      expect(problemsOf({ type: "fixed-test", size: 3 })).toEqual([]);
    } finally {
      off();
    }
    expect(findRotatorType("fixed-test")).toBeUndefined();
  });

  it("refuses a malformed descriptor", () => {
    expect(() => registerRotatorType({ type: "Bad Type", summary: "x", options: {}, create: () => ({ create: async () => "" }) })).toThrow(/type/);
  });
});

describe("hush.yaml secrets.NAME.rotator", () => {
  it("accepts a known type with valid options and keeps them", () => {
    const { config, problems } = checkConfig({ version: 1, secrets: { session_secret: { rotator: { type: "random", length: 48, alphabet: "hex" } } } });
    expect(problems).toEqual([]);
    expect(config?.secrets.session_secret?.rotator).toEqual({ type: "random", options: { length: 48, alphabet: "hex" } });
  });

  it("reports an unknown type, a missing type, bad options and an unknown key, with paths", () => {
    expect(problemsOf({ type: "nope" })).toEqual([expect.objectContaining({ path: "secrets.session_secret.rotator.type", message: expect.stringContaining("known types: random") })]);
    expect(problemsOf({ length: 4 })[0]?.path).toBe("secrets.session_secret.rotator.type");
    expect(problemsOf({ type: "random", length: 4 })[0]?.path).toBe("secrets.session_secret.rotator.length");
    expect(problemsOf({ type: "random", lenght: 40 })[0]?.message).toMatch(/length/);
    expect(problemsOf("random")[0]?.path).toBe("secrets.session_secret.rotator");
  });

  it("never echoes a value pasted into the rotator entry", () => {
    const problems = [...problemsOf({ type: CANARY }), ...problemsOf({ type: "random", token: CANARY }), ...problemsOf({ type: "random", length: CANARY })];
    expect(problems.length).toBeGreaterThanOrEqual(3);
    expect(JSON.stringify(problems)).not.toContain(CANARY);
  });
});
