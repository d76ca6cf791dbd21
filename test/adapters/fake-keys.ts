/**
 * Random, well-formed fake keys, made at run time so no key-shaped literal sits in the
 * repository (the scanner and push protection would rightly flag it).
 */
import { randomBytes, randomInt } from "node:crypto";
import { expect } from "vitest";
import { PROVIDERS } from "../../src/adapters/registry.js";

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const URLSAFE = ALNUM + "_-";
const HEX = "0123456789abcdef";

/** `n` random characters from `alphabet`. */
export function randomChars(n: number, alphabet = ALNUM): string {
  let s = "";
  for (let i = 0; i < n; i++) s += alphabet[randomInt(alphabet.length)];
  return s;
}

/** A key in the provider's documented shape. */
export const fakeKey = {
  openaiLegacy: () => "sk-" + randomChars(48),
  openaiProject: () => "sk-proj-" + randomChars(156, URLSAFE),
  openaiServiceAccount: () => "sk-svcacct-" + randomChars(120, URLSAFE),
  anthropic: () => "sk-ant-api03-" + randomChars(93, URLSAFE) + "AA",
  google: () => "AIza" + randomChars(35, URLSAFE),
  xai: () => "xai-" + randomChars(80),
  groq: () => "gsk_" + randomChars(52),
  openrouter: () => "sk-or-v1-" + randomChars(64, HEX),
  /** For providers without a documented format. */
  opaque: () => randomBytes(24).toString("hex"),
};

/** Fails when the value, or any 6-character run of its secret part (after a public prefix), shows up in `text`. */
export function expectNoValue(text: string | undefined, value: string): void {
  if (text === undefined) return;
  expect(text).not.toContain(value);
  const prefixes = PROVIDERS.flatMap((p) => p.keyFormat?.prefixes ?? []).filter((x) => value.startsWith(x));
  const secret = value.slice(Math.max(0, ...prefixes.map((x) => x.length)));
  for (let i = 0; i + 6 <= secret.length; i++) expect(text).not.toContain(secret.slice(i, i + 6));
}
