/**
 * The one conformance suite every source passes. A source's test file calls
 * `describeSourceConformance(name, harness, { skips })`; a deviation is a named skip with its
 * reason, never a weaker test.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { SecretSource } from "../../../src/types.js";
import { HushError } from "../../../src/errors.js";

export interface ConformanceHarness {
  /** A fresh, empty source plus a way to put values into it from outside. */
  create(): Promise<{
    source: SecretSource;
    /** Stores values as the source's users would (env object, .env file, set(), a Python write). */
    seed(values: Record<string, string>): Promise<void>;
    /** Makes the next read fail (corrupt file, wrong key, ...). Omit when the source cannot fail. */
    breakIt?(): Promise<void>;
    cleanup(): Promise<void>;
  }>;
}

export type ConformanceCase = "values" | "missing" | "list" | "write" | "versions" | "leak" | "dispose";

/** Values that catch encoding bugs; each is also a canary for the leak check. */
export const CONFORMANCE_VALUES: Record<string, string> = {
  openai_api_key: "sk-proj-CANARY0123456789abcdefghijklmnopqrstuvwxyzABCD",
  unicode_pass: "pässwörd-ñ-日本語-🔑-é\u0301-CANARY",
  multi_line: "-----BEGIN KEY-----\nCANARYline1\nline2\n-----END KEY-----",
  quoted: `he said "hi" and 'bye' $HOME \\n CANARY`,
  empty_value: "",
  long_value: "CANARY".repeat(2000),
};

export function describeSourceConformance(label: string, harness: ConformanceHarness, skips: Partial<Record<ConformanceCase, string>> = {}): void {
  describe(`source conformance: ${label}`, () => {
    let cleanup: (() => Promise<void>) | undefined;
    afterEach(async () => {
      await cleanup?.();
      cleanup = undefined;
    });
    async function fresh() {
      const h = await harness.create();
      cleanup = h.cleanup;
      return h;
    }
    const test = (c: ConformanceCase, title: string, fn: () => Promise<void>) => (skips[c] ? it.skip(`${title} — skipped: ${skips[c]}`, fn) : it(title, fn));

    test("values", "returns every seeded value exactly, with its provenance", async () => {
      const { source, seed } = await fresh();
      await seed(CONFORMANCE_VALUES);
      for (const [name, value] of Object.entries(CONFORMANCE_VALUES)) {
        const r = await source.get(name);
        expect(r, name).toBeDefined();
        expect(r!.value).toBe(value);
        expect(r!.source).toBe(source.name);
        expect(r!.name).toBe(name);
      }
    });

    test("values", "getMany, when present, gives what get gives, in the order asked (missing names: undefined)", async () => {
      const { source, seed } = await fresh();
      if (!source.getMany) return;
      await seed(CONFORMANCE_VALUES);
      const names = ["not_there_at_all", ...Object.keys(CONFORMANCE_VALUES).reverse()];
      const many = await source.getMany(names);
      expect(many.length).toBe(names.length);
      for (const [i, name] of names.entries()) expect(many[i], name).toEqual(await source.get(name));
      expect(await source.getMany([])).toEqual([]);
    });

    test("missing", "returns undefined for a name it does not have, never throws", async () => {
      const { source, seed } = await fresh();
      expect(await source.get("not_there_at_all")).toBeUndefined();
      await seed({ something_else: "x-value" });
      expect(await source.get("not_there_at_all")).toBeUndefined();
    });

    test("list", "lists names without values", async () => {
      const { source, seed } = await fresh();
      await seed(CONFORMANCE_VALUES);
      const names = await source.list();
      for (const name of Object.keys(CONFORMANCE_VALUES)) expect(names).toContain(name);
      expect(JSON.stringify(names)).not.toContain("CANARY");
    });

    test("write", "set/delete both or neither; set then get; delete then undefined", async () => {
      const { source } = await fresh();
      expect(typeof source.set === "function").toBe(typeof source.delete === "function");
      if (!source.set || !source.delete) return;
      const r = await source.set("written_key", "first-CANARY");
      expect(r.value).toBe("first-CANARY");
      expect((await source.get("written_key"))?.value).toBe("first-CANARY");
      await source.set("written_key", "second-CANARY");
      expect((await source.get("written_key"))?.value).toBe("second-CANARY");
      expect(await source.delete("written_key")).toBe(true);
      expect(await source.get("written_key")).toBeUndefined();
      expect(await source.delete("written_key")).toBe(false);
    });

    test("versions", "keeps versions newest first, with creation times", async () => {
      const { source } = await fresh();
      if (!source.versions || !source.set) return;
      await source.set("versioned", "v1-CANARY");
      await source.set("versioned", "v2-CANARY");
      const versions = await source.versions("versioned");
      expect(versions.length).toBe(2);
      expect(versions[0]!.version).toBeGreaterThan(versions[1]!.version);
      expect(versions[0]!.createdAt).toBeInstanceOf(Date);
      expect(JSON.stringify(versions)).not.toContain("CANARY");
    });

    test("leak", "no stored value appears in any error's message, String() or JSON", async () => {
      const h = await fresh();
      await h.seed(CONFORMANCE_VALUES);
      const errors: unknown[] = [];
      for (const bad of ["../x", "/abs", "a/b", "nul\0byte", "", "x".repeat(300)]) {
        try {
          await h.source.get(bad);
        } catch (e) {
          errors.push(e);
        }
      }
      if (h.breakIt) {
        await h.breakIt();
        await new Promise((r) => setImmediate(r)); // file-backed sources re-check from the next turn
        for (const call of [() => h.source.get("openai_api_key"), () => h.source.getMany?.(["openai_api_key", "quoted"]), () => h.source.list(), () => h.source.set?.("openai_api_key", "new-CANARY")]) {
          try {
            await call();
          } catch (e) {
            errors.push(e);
          }
        }
        expect(errors.some((e) => e instanceof HushError && e.code !== "INVALID_NAME"), "breakIt() must make a read fail").toBe(true);
      }
      expect(errors.length).toBeGreaterThan(0);
      for (const e of errors) {
        expect(e).toBeInstanceOf(HushError);
        const text = `${(e as Error).message} ${String(e)} ${JSON.stringify(e)} ${(e as HushError).hint}`;
        for (const value of Object.values(CONFORMANCE_VALUES)) if (value.length > 0) expect(text).not.toContain(value.slice(0, 24));
        expect(text).not.toContain("CANARY");
      }
    });

    test("dispose", "dispose is idempotent", async () => {
      const { source } = await fresh();
      await source.dispose?.();
      await source.dispose?.();
    });
  });
}
