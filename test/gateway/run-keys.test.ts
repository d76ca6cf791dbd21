/**
 * `hush run --gateway` keeps every route key from the child, also right after a rotation: the
 * value under a route's secret variable counts as a key even before the gateway has read it.
 */
import { describe, expect, it } from "vitest";
import { keysIn, swapKeysForHandles } from "../../src/gateway/run-with-gateway.js";
import { testKey } from "./helpers.js";

describe("the child's environment under --gateway", () => {
  it("leaves out the new key (and any copy of it) that the gateway has not read yet", () => {
    const [OLD, NEW] = [testKey(), testKey()];
    const env = { STRIPE_KEY: NEW, COPY_OF_IT: `x${NEW}`, OLD_COPY: OLD, PLAIN: "plain-value-1" };
    const warnings: string[] = [];
    const out = swapKeysForHandles(env, { STRIPE_API_KEY: "hush_h_abc" }, keysIn(env, [OLD], ["STRIPE_KEY"]), (m) => warnings.push(m));
    expect(out).toEqual({ PLAIN: "plain-value-1", STRIPE_API_KEY: "hush_h_abc" });
    expect(warnings.join("\n")).toContain("COPY_OF_IT, OLD_COPY, STRIPE_KEY");
    for (const key of [OLD, NEW]) expect(warnings.join("\n")).not.toContain(key);
  });
});
