/**
 * The three plug-in registries share src/plugin-registry.ts; their wording differs and is pinned
 * here, word for word, so the shared helper cannot blur one registry's messages into another's.
 */
import { describe, expect, it } from "vitest";
import { describeUnknownType, registerSourceType } from "../src/sources/registry.js";
import { describeUnknownKeyProvider, registerKeyProviderType } from "../src/keys/registry.js";
import { describeUnknownRotator, registerRotatorType } from "../src/rotation/registry.js";
import { HushError } from "../src/errors.js";

const CANARY = "sk-canary-4b1d2e3f5a6c7d8e9f00";

/** A well-formed descriptor of `type`, with `extra` over it. */
const descriptor = (type: string, extra: object = {}) => ({ type, summary: "a test type", options: {}, create: () => ({}), ...extra });

function refusal(register: (d: never) => unknown, d: unknown): HushError {
  try {
    register(d as never);
  } catch (e) {
    expect(e).toBeInstanceOf(HushError);
    expect((e as HushError).code).toBe("INVALID_ARGUMENT");
    return e as HushError;
  }
  throw new Error("expected a refusal");
}

const REGISTRIES = [
  { name: "source", register: registerSourceType as (d: never) => () => void, describe: describeUnknownType, builtIn: "env", kind: "A source type", fn: "registerSourceType", noun: "type", note: " (option.string, option.integer, ...)", hint: "See docs/sources.md for the shape of a source descriptor.", unknown: ["unknown source type", "known types: env, dotenv", "type name"] },
  { name: "key provider", register: registerKeyProviderType as (d: never) => () => void, describe: describeUnknownKeyProvider, builtIn: "file", kind: "A key provider type", fn: "registerKeyProviderType", noun: "provider", note: " (option.string, option.integer, ...)", hint: "See docs/keys.md for the shape of a key provider descriptor.", unknown: ["unknown key provider", "known providers: file, user", "provider name"] },
  { name: "rotator", register: registerRotatorType as (d: never) => () => void, describe: describeUnknownRotator, builtIn: "random", kind: "A rotator type", fn: "registerRotatorType", noun: "type", note: "", hint: "See docs/rotation.md for the shape of a rotator descriptor." , unknown: ["unknown rotator type", "known types: random, command", "type name"] },
] as const;

describe.each(REGISTRIES)("the $name registry's words", (r) => {
  it("refuses a type already known, naming its kind", () => {
    expect(refusal(r.register, descriptor(r.builtIn)).message).toContain(`${r.kind} "${r.builtIn}" is already registered; each type is registered once.`);
  });

  it("refuses malformed descriptors with its function's name, its noun and its hint, never echoing an option key", () => {
    const cases: [unknown, string][] = [
      [null, `${r.fn}: expected a descriptor object.`],
      [descriptor("x-test", { summary: "two\nlines" }), `${r.fn}: the x-test ${r.noun} needs a one-line \`summary\`.`],
      [descriptor("x-test", { create: 1 }), `${r.fn}: the x-test ${r.noun} needs a \`create(options, context)\` function.`],
      [descriptor("x-test", { options: [] }), `${r.fn}: the x-test ${r.noun} needs an \`options\` schema (use {} for none).`],
      [descriptor("x-test", { options: { address: {} } }), `${r.fn}: option "address" of the x-test ${r.noun} is not built with the option builders${r.note}.`],
      [descriptor("x-test", { options: { [CANARY]: {} } }), `${r.fn}: option (a key) of the x-test ${r.noun} is not built with the option builders${r.note}.`],
    ];
    for (const [d, message] of cases) {
      const e = refusal(r.register, d);
      expect(e.message.startsWith(message), e.message).toBe(true);
      expect(e.hint).toBe(r.hint);
      expect(e.message).not.toContain(CANARY);
    }
  });

  it("says a type is unknown in its words, never echoing a token-shaped one", () => {
    const [label, known, name] = r.unknown;
    expect(r.describe("nope")).toMatch(new RegExp(`^${label} "nope"; ${known}`));
    expect(r.describe(CANARY)).toMatch(new RegExp(`^${label} \\(not shown: it does not look like a ${name}\\); ${known}`));
  });

  it("removes a registered type again", () => {
    const off = r.register(descriptor("x-test") as never);
    expect(r.describe("nope")).toContain("x-test");
    off();
    expect(r.describe("nope")).not.toContain("x-test");
  });
});
