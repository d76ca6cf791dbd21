/**
 * A route's key that follows rotation (src/gateway/route-key.ts), on a fake reader and a fake
 * clock: re-read after the TTL by a request, at once on a change; the old key still redacted for
 * a while; a failed or empty read refuses with 503 (never "no key", never the old key on its
 * own), without a read storm, and recovers. No value in any refusal or warning.
 */
import { describe, expect, it } from "vitest";
import { Readable } from "node:stream";
import { HushError } from "../../src/errors.js";
import { GatewayRefusal } from "../../src/gateway/forward.js";
import { createRouteKey, KEY_RETRY_MS } from "../../src/gateway/route-key.js";
import { planRoutes } from "../../src/gateway/routes.js";
import type { SecretRecord } from "../../src/types.js";
import { testKey } from "./helpers.js";

const plan = planRoutes([{ name: "api", upstream: "https://api.example.com", secret: "api_key" }], ["api"])[0]!;
const record = (value: string): SecretRecord => ({ name: "api_key", value, source: "local" }) as SecretRecord;

function setup(first: string) {
  let clock = 1_000_000;
  let next: () => Promise<SecretRecord | undefined> = async () => record(first);
  let reads = 0;
  const warnings: string[] = [];
  const key = createRouteKey(plan, first, {
    read: () => {
      reads += 1;
      return next();
    },
    refreshMs: 30_000,
    previousKeyMs: 600_000,
    onWarning: (m) => warnings.push(m),
    now: () => clock,
  });
  return {
    key,
    warnings,
    reads: () => reads,
    advance: (ms: number) => (clock += ms),
    serve: (f: () => Promise<SecretRecord | undefined>) => (next = f),
  };
}

async function redacted(key: ReturnType<typeof createRouteKey>, text: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of Readable.from([Buffer.from(text)]).pipe(key.newRedactor())) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function refusalOf(p: Promise<void> | undefined): Promise<GatewayRefusal> {
  expect(p).toBeInstanceOf(Promise);
  const e = await p!.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(GatewayRefusal);
  return e as GatewayRefusal;
}

describe("a route's key", () => {
  it("without a reader never changes and never waits", () => {
    const KEY = testKey();
    const key = createRouteKey(plan, KEY);
    expect(key.ready()).toBeUndefined();
    expect(key.auth).toEqual(["authorization", `Bearer ${KEY}`]);
  });

  it("is read again by the first request after the TTL, not before; the old key is still redacted, then no more", async () => {
    const [OLD, NEW] = [testKey(), testKey()];
    const t = setup(OLD);
    t.advance(29_999);
    expect(t.key.ready()).toBeUndefined();
    expect(t.reads()).toBe(0);
    t.serve(async () => record(NEW));
    t.advance(1);
    await t.key.ready();
    expect(t.reads()).toBe(1);
    expect(t.key.auth).toEqual(["authorization", `Bearer ${NEW}`]);
    expect(t.key.ready()).toBeUndefined();
    expect(t.key.values().sort()).toEqual([OLD, NEW].sort());
    const text = await redacted(t.key, `old ${OLD} new ${NEW} old64 ${Buffer.from(OLD).toString("base64")}`);
    expect(text).toBe("old [REDACTED:api_key.previous] new [REDACTED:api_key] old64 [REDACTED:api_key.previous.base64]");
    t.advance(600_000);
    expect([...t.key.forms.values()]).not.toContain(OLD);
    expect(await redacted(t.key, `old ${OLD}`)).toBe(`old ${OLD}`);
    expect(t.key.values()).toEqual([NEW]);
  });

  it("re-reads at once on a change, and once more when the change came during a read", async () => {
    const [A, B, C] = [testKey(), testKey(), testKey()];
    const t = setup(A);
    let release!: () => void;
    t.serve(() => new Promise((r) => (release = () => r(record(B)))));
    const first = t.key.changed();
    t.serve(async () => record(C));
    const second = t.key.changed(); // announced while the first read is under way
    release();
    await first;
    await second;
    expect(t.reads()).toBe(2);
    expect(t.key.auth[1]).toBe(`Bearer ${C}`);
    expect(t.key.values()).toEqual([C, B, A]);
  });

  it("refuses with 503 while the key cannot be read, without a read per request, and recovers", async () => {
    const [OLD, NEW] = [testKey(), testKey()];
    const t = setup(OLD);
    t.serve(async () => {
      throw new HushError("ACCESS_DENIED", "denied by the backend");
    });
    await t.key.changed();
    const refusal = await refusalOf(t.key.ready());
    expect([refusal.status, refusal.code]).toEqual([503, "key-unreadable"]);
    expect(t.reads()).toBe(1);
    await refusalOf(t.key.ready()); // within KEY_RETRY_MS: refused without a new read
    expect(t.reads()).toBe(1);
    t.advance(KEY_RETRY_MS);
    await refusalOf(t.key.ready()); // read again, still denied
    expect(t.reads()).toBe(2);
    expect(t.warnings).toHaveLength(1);
    expect(t.warnings[0]).toContain("ACCESS_DENIED");
    t.serve(async () => record(NEW));
    t.advance(KEY_RETRY_MS);
    await t.key.ready();
    expect(t.key.auth[1]).toBe(`Bearer ${NEW}`);
    expect(t.key.ready()).toBeUndefined();
    for (const text of [JSON.stringify(t.warnings), refusal.message]) {
      expect(text).not.toContain(OLD);
      expect(text).not.toContain(NEW);
    }
  });

  it("refuses with 503 key-missing when the secret is gone or empty: never a request without a key", async () => {
    const KEY = testKey();
    for (const gone of [undefined, record("")]) {
      const t = setup(KEY);
      t.serve(async () => gone);
      await t.key.changed();
      const refusal = await refusalOf(t.key.ready());
      expect([refusal.status, refusal.code]).toEqual([503, "key-missing"]);
      expect(refusal.message + t.warnings.join("")).not.toContain(KEY);
    }
  });
});
