import { describe, expect, expectTypeOf, it } from "vitest";
import { option, parseOptions, type ConfigPath, type InferOptions } from "../../src/config/options-schema.js";
import { formatPath } from "../../src/config/validate.js";

const CANARY = "sk-canary-5e4d3c2b1a0f9e8d7c6b";

const schema = {
  address: option.string({ description: "the server URL" }),
  retries: option.integer({ min: 0, max: 10, default: 3, description: "attempts" }),
  ratio: option.number({ min: 0, max: 1, description: "a fraction" }),
  mode: option.choice(["fast", "safe"], { default: "safe", description: "how" }),
  enabled: option.boolean({ description: "on or off" }),
  files: option.paths({ description: "files" }),
  labels: option.strings({ pattern: /^[a-z]+$/, description: "labels" }),
  tls: option.object({ ca: option.path({ description: "CA bundle" }), verify: option.boolean({ default: true, description: "verify" }) }, { description: "TLS settings" }),
};

function run(raw: Record<string, unknown>) {
  const problems: { path: string; message: string }[] = [];
  const value = parseOptions(schema, raw, ["sources", 2, "options"], (path: ConfigPath, message: string) => problems.push({ path: formatPath(path), message }));
  return { value, problems };
}

describe("options schema", () => {
  it("infers the options' type: a field with a default is required, the others optional", () => {
    type Options = InferOptions<typeof schema>;
    expectTypeOf<Options["retries"]>().toEqualTypeOf<number>();
    expectTypeOf<Options["mode"]>().toEqualTypeOf<"fast" | "safe">();
    expectTypeOf<Options["address"]>().toEqualTypeOf<string | undefined>();
    expectTypeOf<Options["tls"]>().toEqualTypeOf<{ verify: boolean; ca?: string } | undefined>();
  });

  it("returns the typed options with defaults filled in, nested ones too", () => {
    const { value, problems } = run({ address: "https://vault:8200", files: ["a.env"], labels: ["x"], tls: { ca: "ca.pem" } });
    expect(problems).toEqual([]);
    expect(value).toEqual({ address: "https://vault:8200", retries: 3, mode: "safe", files: ["a.env"], labels: ["x"], tls: { ca: "ca.pem", verify: true } });
  });

  it("reports each problem with its path, nested paths included, and never the value", () => {
    const { problems } = run({ address: 42, retries: 11, ratio: 2, mode: CANARY, enabled: "yes", files: [], labels: [CANARY], tls: { ca: "", verify: CANARY, adress: 1 }, adress: "x" });
    expect(problems).toEqual([
      { path: "sources[2].options.address", message: "expected a string, got a number." },
      { path: "sources[2].options.retries", message: "expected a whole number from 0 to 10." },
      { path: "sources[2].options.ratio", message: "expected a number from 0 to 1." },
      { path: "sources[2].options.mode", message: "expected one of fast, safe, got another word." },
      { path: "sources[2].options.enabled", message: "expected true or false, got a string." },
      { path: "sources[2].options.files", message: "expected a non-empty list of paths, got a list." },
      { path: "sources[2].options.labels", message: "every entry must be a string of the expected form." },
      { path: "sources[2].options.tls.ca", message: "expected a path (a non-empty string), got a string." },
      { path: "sources[2].options.tls.verify", message: "expected true or false, got a string." },
      { path: "sources[2].options.tls.adress", message: "unknown key (known: ca, verify)." },
      { path: "sources[2].options.adress", message: 'unknown key; did you mean "address"? (known: address, retries, ratio, mode, enabled, files, labels, tls).' },
    ]);
    expect(JSON.stringify(problems)).not.toContain(CANARY);
  });

  it("a credential under an unknown key or a URL with a password anywhere is reported, not echoed", () => {
    const { problems } = run({ token: CANARY, address: `postgres://admin:${CANARY}@db/x`, tls: { ca: `https://u:${CANARY}@x/ca.pem` } });
    expect(problems.map((p) => p.path)).toEqual(["sources[2].options.token", "sources[2].options.address", "sources[2].options.tls.ca"]);
    expect(problems[0]!.message).toContain("looks like a credential");
    expect(problems[1]!.message).toContain("holds a URL with a password");
    expect(JSON.stringify(problems)).not.toContain(CANARY);
  });

  it("a default is a fresh copy each time", () => {
    const listSchema = { tags: option.strings({ description: "tags", default: ["a"] }) };
    const first = parseOptions(listSchema, {}, [], () => undefined);
    first.tags.push("b");
    expect(parseOptions(listSchema, {}, [], () => undefined).tags).toEqual(["a"]);
  });

  it("the tls mapping itself must be a mapping", () => {
    expect(run({ tls: "yes" }).problems).toEqual([{ path: "sources[2].options.tls", message: "expected a mapping, got a string." }]);
  });
});
