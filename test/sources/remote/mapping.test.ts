import { describe, expect, it } from "vitest";
import { joinKey, namesForKeys, pickJsonProperty, pickProperty, remoteKeyFor } from "../../../src/sources/remote/mapping.js";
import { durationOption, parseDuration } from "../../../src/sources/remote/options.js";

const where = { source: "vault", operation: "read", path: "apps/llm", secret: "openai_api_key" };

describe("mapping", () => {
  it("a remote entry wins; else the name under the prefix", () => {
    const refs = { openai_api_key: { key: "apps/llm", property: "openai", version: "3" } };
    expect(remoteKeyFor("openai_api_key", { remoteRefs: refs }, "x")).toEqual({ key: "apps/llm", property: "openai", version: "3", mapped: true });
    expect(remoteKeyFor("db_url", { remoteRefs: refs }, "/agents/prod/")).toEqual({ key: "agents/prod/db_url", mapped: false });
    expect(joinKey(undefined, "a")).toBe("a");
  });

  it("listed keys become names: mapped keys under their names, the rest as themselves", () => {
    const refs = { openai_api_key: { key: "agents/llm", property: "openai" }, anthropic_api_key: { key: "agents/llm", property: "anthropic" } };
    expect(namesForKeys(["llm", "db_url"], "agents", refs).sort()).toEqual(["anthropic_api_key", "db_url", "openai_api_key"]);
  });

  it("property picks a field; a single-field secret needs none; several fields without one are refused by name", () => {
    expect(pickProperty({ openai: "sk-CANARY", other: 1 }, "openai", where)).toEqual({ value: "sk-CANARY", encoding: "string" });
    expect(pickProperty({ other: 1 }, "openai", where)).toBeUndefined();
    expect(pickProperty({ n: { a: 1 } }, "n", where)).toEqual({ value: '{"a":1}', encoding: "json" });
    expect(pickProperty({ value: "v-CANARY" }, undefined, where)?.value).toBe("v-CANARY");
    let e: unknown;
    try {
      pickProperty({ a: "x-CANARY", b: "y-CANARY" }, undefined, where);
    } catch (x) {
      e = x;
    }
    expect(String(e)).toMatch(/holds 2 fields \(a, b\); say which with secrets\.openai_api_key\.remote\.property/);
    expect(JSON.stringify(e)).not.toContain("CANARY");
  });

  it("JSON values: a property of an object; text that is not JSON is INVALID_VALUE without quoting it", () => {
    expect(pickJsonProperty('{"k":"v-CANARY"}', "k", where)?.value).toBe("v-CANARY");
    expect(pickJsonProperty("plain-CANARY", undefined, where)?.value).toBe("plain-CANARY");
    for (const bad of ["plain-CANARY", '["CANARY"]']) {
      let e: unknown;
      try {
        pickJsonProperty(bad, "k", where);
      } catch (x) {
        e = x;
      }
      expect((e as { code: string }).code).toBe("INVALID_VALUE");
      expect(JSON.stringify(e)).not.toContain("CANARY");
    }
  });
});

describe("durations", () => {
  it("reads 250ms, 30s, 5m, 1h, 2d and numbers of seconds", () => {
    expect([parseDuration("250ms"), parseDuration("30s"), parseDuration("5m"), parseDuration("1h"), parseDuration("2d"), parseDuration(2)]).toEqual([250, 30_000, 300_000, 3_600_000, 172_800_000, 2000]);
    expect(parseDuration("soon")).toBeUndefined();
    expect(parseDuration(-1)).toBeUndefined();
    const problems: string[] = [];
    expect(durationOption({ description: "x", maxMs: 1000 }).check("1h", ["t"], (_p, m) => problems.push(m))).toBeUndefined();
    expect(problems[0]).toMatch(/at most 1s/);
  });
});
