/**
 * The cases of the key-provider conformance suite, in the order they run. A case that needs a
 * capability says which (`requires`); a provider without it declares a skip with its reason, and
 * the suite's `contract` case checks that declared skips and capabilities agree.
 *
 * Every error a case provokes is checked for key material: each key the suite made, as url-safe
 * base64 (with and without padding), standard base64 and hex, in 16-character pieces, and the
 * harness's own `secrets` (passphrases, tokens), in the message, hint, String() and JSON.
 */
import { expect } from "vitest";
import { generateFernetKey, type FernetKey } from "../../../src/crypto/fernet.js";
import { HushError, type HushErrorCode } from "../../../src/errors.js";
import type { KeyProvider } from "../../../src/keys/provider.js";
import type { KeyConformanceInstance } from "./harness.js";

/** What a case gets: the instance, and the keys made so far (for the leak checks). */
export interface KeyCaseContext {
  instance: KeyConformanceInstance;
  /** A new random key (44 characters), remembered for the leak checks. */
  newKey(): string;
  /** Stores a key as users do (`store`, else `provider.save`). */
  store(key: string): Promise<void>;
  /** Checks that `e` is a HushError (with one of `codes`) carrying no key material; returns it. */
  expectKeyError(e: unknown, codes?: HushErrorCode | readonly HushErrorCode[]): HushError;
  /** Fails when `text` holds key material. */
  expectNoKeyMaterial(text: string, what: string): void;
}

/** One case of the suite. */
export interface KeyCaseDefinition<Id extends string = string> {
  id: Id;
  title: string;
  requires?: { what: string; present(instance: KeyConformanceInstance): boolean };
  run(ctx: KeyCaseContext): Promise<void>;
}

const has = (what: string, present: (i: KeyConformanceInstance) => boolean) => ({ what, present });
const writable = has("a provider that saves (not readOnly)", (i) => !i.readOnly);

/** Codes a damaged stored key may give: never KEY_MISSING. */
export const CORRUPT_CODES: readonly HushErrorCode[] = ["MALFORMED_KEY", "WRONG_KEY", "STORE_CORRUPT", "INVALID_TOKEN", "READ_FAILED"];

const CASES = [
  { id: "roundTrip", title: "a stored key loads back as the same 32 bytes, also through a new provider; exists() is false before, true after", run: roundTripCase },
  { id: "missing", title: "load with nothing stored is KEY_MISSING and creates nothing", run: missingCase },
  { id: "refuseOverwrite", title: "save over a stored key without `replace` is KEY_EXISTS and keeps the old key", requires: writable, run: refuseOverwriteCase },
  { id: "replace", title: "save with `replace` replaces the key, for this provider (its cache) and a new one", requires: writable, run: replaceCase },
  { id: "malformedSave", title: "save of a malformed key is MALFORMED_KEY, stores nothing and does not echo it", requires: writable, run: malformedSaveCase },
  { id: "wrongKey", title: "a key that opens with another key/passphrase/KMS key is WRONG_KEY", requires: has("faults.wrongKey", (i) => !!i.faults?.wrongKey), run: faultCase("wrongKey", ["WRONG_KEY"]) },
  { id: "corrupt", title: "a damaged stored key is a typed error, never KEY_MISSING", requires: has("faults.corrupt", (i) => !!i.faults?.corrupt), run: faultCase("corrupt", CORRUPT_CODES) },
  { id: "laxPermissions", title: "a key readable by others is INSECURE_PERMISSIONS", requires: has("faults.laxPermissions", (i) => !!i.faults?.laxPermissions), run: faultCase("laxPermissions", ["INSECURE_PERMISSIONS"]) },
  { id: "denied", title: "a backend that refuses is ACCESS_DENIED, never 'no key'", requires: has("faults.deny", (i) => !!i.faults?.deny), run: faultCase("deny", ["ACCESS_DENIED"]) },
  { id: "unreachable", title: "a backend that cannot be reached is SOURCE_UNAVAILABLE, never 'no key'", requires: has("faults.unreachable", (i) => !!i.faults?.unreachable), run: faultCase("unreachable", ["SOURCE_UNAVAILABLE"]) },
  {
    id: "cached",
    title: "load is cached: concurrent and repeated loads make one backend read",
    requires: has("calls() or faults.corrupt (to show a second load does no I/O)", (i) => !!i.calls || !!i.faults?.corrupt),
    run: cachedCase,
  },
  { id: "location", title: "location() names the provider and where the key is, with no key material", run: locationCase },
  { id: "leak", title: "no key material in any error (message, hint, String, JSON), location() or check()", run: leakCase },
] as const satisfies readonly KeyCaseDefinition[];

/** A case that a provider may skip, with a reason. */
export type SkippableKeyCase = (typeof CASES)[number]["id"];
/** Every case after `contract`, in order. */
export const KEY_CONFORMANCE_CASES: readonly KeyCaseDefinition<SkippableKeyCase>[] = CASES;
/** Every case name, `contract` (never skipped) included. */
export type KeyConformanceCase = "contract" | SkippableKeyCase;

/** Makes the context a case runs with. */
export function caseContext(instance: KeyConformanceInstance): KeyCaseContext {
  const keys: string[] = [];
  const expectNoKeyMaterial = (text: string, what: string) => {
    for (const piece of keyMaterialPieces(keys, instance.secrets ?? [])) expect(text.includes(piece), `key material leaked into ${what}`).toBe(false);
  };
  return {
    instance,
    newKey() {
      const key = generateFernetKey();
      keys.push(key);
      return key;
    },
    store: (key) => (instance.store ? instance.store(key) : instance.provider.save(key)),
    expectKeyError(e, codes) {
      expect(e).toBeInstanceOf(HushError);
      const err = e as HushError;
      if (codes !== undefined) expect(typeof codes === "string" ? [codes] : codes, `${err.code}: ${err.message}`).toContain(err.code);
      expectNoKeyMaterial(`${err.message}\n${String(err)}\n${JSON.stringify(err)}\n${err.hint}`, "an error");
      return err;
    },
    expectNoKeyMaterial,
  };
}

/** The rejection of `p`, or a failed expectation when it resolves (never showing what it resolved to). */
export async function rejectionOf(p: Promise<unknown>, what: string): Promise<unknown> {
  const outcome = await p.then(
    () => ({ resolved: true as const }),
    (e: unknown) => ({ rejected: e }),
  );
  if ("rejected" in outcome) return outcome.rejected;
  return expect.unreachable(`${what} resolved; it must throw`);
}

/** The 32 bytes of a key. */
export function keyBytes(key: FernetKey): Buffer {
  return Buffer.concat([key.signingKey, key.encryptionKey]);
}

// --- internal ---

function sameKey(loaded: FernetKey, text: string, what: string): void {
  expect(keyBytes(loaded).equals(Buffer.from(text, "base64url")), `${what}: the same 32 bytes`).toBe(true);
}

/** Every key as base64url (padded and not), base64 and hex, cut into 16-character pieces; and the secrets whole. */
function keyMaterialPieces(keys: readonly string[], secrets: readonly string[]): string[] {
  const pieces: string[] = [...secrets.filter((s) => s.length >= 6)];
  for (const key of keys) {
    const raw = Buffer.from(key, "base64url");
    for (const form of [key, raw.toString("base64url"), raw.toString("base64"), raw.toString("hex")]) {
      for (let at = 0; at + 16 <= form.length; at += 16) pieces.push(form.slice(at, at + 16));
    }
  }
  return pieces;
}

async function roundTripCase({ instance, newKey, store }: KeyCaseContext): Promise<void> {
  expect(await instance.provider.exists(), "exists() before anything is stored").toBe(false);
  const key = newKey();
  await store(key);
  expect(await instance.provider.exists(), "exists() after the key is stored").toBe(true);
  sameKey(await instance.provider.load(), key, "load");
  const other = await instance.reopen();
  expect(await other.exists()).toBe(true);
  sameKey(await other.load(), key, "load through a new provider");
}

async function missingCase({ instance, expectKeyError }: KeyCaseContext): Promise<void> {
  expectKeyError(await rejectionOf(instance.provider.load(), "load with nothing stored"), "KEY_MISSING");
  expectKeyError(await rejectionOf(instance.provider.load(), "a second load with nothing stored"), "KEY_MISSING");
  expect(await instance.provider.exists(), "a failed load creates nothing").toBe(false);
  expect(await (await instance.reopen()).exists()).toBe(false);
}

async function refuseOverwriteCase({ instance, newKey, expectKeyError }: KeyCaseContext): Promise<void> {
  const first = newKey();
  await instance.provider.save(first);
  expectKeyError(await rejectionOf(instance.provider.save(newKey()), "save over a stored key"), "KEY_EXISTS");
  sameKey(await instance.provider.load(), first, "the cached key after a refused save");
  sameKey(await (await instance.reopen()).load(), first, "the stored key after a refused save");
}

async function replaceCase({ instance, newKey }: KeyCaseContext): Promise<void> {
  const [first, second] = [newKey(), newKey()];
  await instance.provider.save(first);
  sameKey(await instance.provider.load(), first, "before the replace");
  await instance.provider.save(second, { replace: true });
  sameKey(await instance.provider.load(), second, "the same provider after the replace");
  sameKey(await (await instance.reopen()).load(), second, "a new provider after the replace");
}

async function malformedSaveCase({ instance, newKey, expectKeyError }: KeyCaseContext): Promise<void> {
  const key = newKey();
  for (const bad of [key.slice(0, 43), `${key.slice(0, 42)}+/`, `${key}${key}`, ""]) {
    expectKeyError(await rejectionOf(instance.provider.save(bad), "save of a malformed key"), "MALFORMED_KEY");
  }
  expect(await instance.provider.exists(), "a refused save stores nothing").toBe(false);
}

function faultCase(fault: keyof NonNullable<KeyConformanceInstance["faults"]>, codes: readonly HushErrorCode[]) {
  return async ({ instance, newKey, store, expectKeyError }: KeyCaseContext): Promise<void> => {
    await store(newKey());
    await instance.faults![fault]!();
    const provider = await instance.reopen();
    const err = expectKeyError(await rejectionOf(provider.load(), `load after faults.${fault}`), codes);
    expect(err.code, "a failure never reads as 'no key'").not.toBe("KEY_MISSING");
    expectKeyError(await rejectionOf(provider.load(), `a second load after faults.${fault}`), codes);
  };
}

async function cachedCase({ instance, newKey, store }: KeyCaseContext): Promise<void> {
  const key = newKey();
  await store(key);
  const provider = await instance.reopen();
  const before = instance.calls?.();
  const [a, b] = await Promise.all([provider.load(), provider.load()]);
  sameKey(a, key, "the first of two concurrent loads");
  sameKey(b, key, "the second of two concurrent loads");
  if (instance.calls) {
    const after = instance.calls();
    expect(after - before!, "two concurrent first loads make exactly one backend read").toBe(1);
    for (let i = 0; i < 3; i++) sameKey(await provider.load(), key, "a repeated load");
    expect(instance.calls(), "repeated loads make no backend read").toBe(after);
  }
  if (instance.faults?.corrupt) {
    await instance.faults.corrupt();
    sameKey(await provider.load(), key, "a load after the stored key was damaged (served from the cache: no I/O)");
  }
}

async function locationCase({ instance, newKey, store, expectNoKeyMaterial }: KeyCaseContext): Promise<void> {
  const before = instance.provider.location();
  expect(before.provider).toBe(instance.provider.type);
  expect(before.where.trim().length > 0 && !/[\r\n]/.test(before.where), "where: one non-empty line").toBe(true);
  expect(typeof before.insideProject).toBe("boolean");
  await store(newKey());
  await instance.provider.load();
  const after = instance.provider.location();
  expect(after, "location() does not change once a key is stored").toEqual(before);
  expectNoKeyMaterial(JSON.stringify(after), "location()");
}

async function leakCase(ctx: KeyCaseContext): Promise<void> {
  const { instance, newKey, store, expectKeyError, expectNoKeyMaterial } = ctx;
  const errors: unknown[] = [];
  const collect = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => void errors.push(e));
  await collect(instance.provider.load());
  await collect(instance.provider.save(newKey().slice(0, 40)));
  if (instance.provider.check) expectNoKeyMaterial(JSON.stringify(await instance.provider.check()), "check() with nothing stored");
  const key = newKey();
  await store(key);
  await collect(instance.provider.save(newKey()));
  await instance.provider.load();
  if (instance.provider.check) expectNoKeyMaterial(JSON.stringify(await instance.provider.check()), "check()");
  const fault = Object.values(instance.faults ?? {}).find((f) => typeof f === "function");
  if (fault) {
    await fault();
    const broken: KeyProvider = await instance.reopen();
    await collect(broken.load());
    if (broken.check) await broken.check().then((c) => expectNoKeyMaterial(JSON.stringify(c), "check() of a broken key"), (e: unknown) => void errors.push(e));
  }
  expect(errors.length, "the failure paths raised errors").toBeGreaterThan(1);
  for (const e of errors) expectKeyError(e);
}
