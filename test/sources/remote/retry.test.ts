import { describe, expect, it } from "vitest";
import { attemptsOf, formatAttempts, parseRetryAfter, withRetries, type RetryAttempt } from "../../../src/sources/remote/retry.js";

const noSleep = { sleep: async () => undefined, random: () => 0.5 };

describe("withRetries", () => {
  it("retries what retryOn names, up to the bound, and records each attempt with its wait", async () => {
    const seen: RetryAttempt[] = [];
    let calls = 0;
    const waits: number[] = [];
    const out = await withRetries(async () => ++calls, {
      operation: "GET a/b",
      retryOn: (o) => ("value" in o && o.value < 3 ? { reason: "503" } : undefined),
      onAttempt: (a) => seen.push(a),
      sleep: async (ms) => void waits.push(ms),
      random: () => 1,
    });
    expect(out).toBe(3);
    expect(seen.map((a) => a.outcome)).toEqual(["503", "503", "ok"]);
    expect(waits).toEqual([100, 200]); // full jitter's ceiling doubles
    expect(formatAttempts(seen)).toContain("attempt 1 GET a/b: 503, waited 100 ms");
  });

  it("is bounded: returns the last value when the attempts run out", async () => {
    let calls = 0;
    const out = await withRetries(async () => ({ status: 500, n: ++calls }), { operation: "x", attempts: 3, retryOn: () => ({ reason: "500" }), ...noSleep });
    expect(out.n).toBe(3);
  });

  it("throws the last error with the attempts on it (not in its message or JSON)", async () => {
    const boom = Object.assign(new Error("refused"), { code: "ECONNREFUSED" });
    const e = await withRetries(async () => Promise.reject(boom), { operation: "GET x", attempts: 2, retryOn: () => ({ reason: "ECONNREFUSED" }), ...noSleep }).catch((x: unknown) => x);
    expect(e).toBe(boom);
    expect(attemptsOf(e).map((a) => a.attempt)).toEqual([1, 2]);
    expect(JSON.stringify(e)).not.toContain("attempt");
  });

  it("honours Retry-After, with a little jitter, and gives up when it is beyond the cap", async () => {
    const waits: number[] = [];
    let calls = 0;
    await withRetries(async () => ++calls, { operation: "x", retryOn: (o) => ("value" in o && o.value === 1 ? { reason: "429", retryAfterMs: 2000 } : undefined), sleep: async (ms) => void waits.push(ms), random: () => 0 });
    expect(waits).toEqual([2000]);
    calls = 0;
    const out = await withRetries(async () => ++calls, { operation: "x", maxRetryAfterMs: 1000, retryOn: () => ({ reason: "429", retryAfterMs: 5000 }), ...noSleep });
    expect(out, "no second attempt").toBe(1);
  });

  it("does not retry what retryOn does not name", async () => {
    let calls = 0;
    await expect(withRetries(async () => Promise.reject(new Error(`n${++calls}`)), { operation: "x", retryOn: () => undefined, ...noSleep })).rejects.toThrow("n1");
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds and HTTP dates; ignores the rest", () => {
    expect(parseRetryAfter("3")).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter("soon")).toBeUndefined();
  });
});
