/**
 * The `random` rotator: a new value drawn from `node:crypto`, with no target system to apply it
 * in (session secrets, signing keys, values only hush's consumers read). `set`, `test` and
 * `revoke` are absent: consumers pick the new value up through `watch` / `onChange`.
 *
 * ```yaml
 * secrets:
 *   session_secret:
 *     rotator: { type: random, length: 48, alphabet: base62 }
 * ```
 */
import { randomInt } from "node:crypto";
import { option } from "../config/options-schema.js";
import { defineRotatorType, type Rotator } from "./rotator.js";

/** Options of the `random` rotator. */
export interface RandomRotatorOptions {
  /** Characters in the value. @default 40 */
  length: number;
  /** Which characters: `base62` (letters and digits), `hex`, `base64url`, `ascii` (printable, no space). @default "base62" */
  alphabet: RandomAlphabet;
}

/** The alphabets `random` draws from. */
export type RandomAlphabet = "base62" | "hex" | "base64url" | "ascii";

const ALPHABETS: Readonly<Record<RandomAlphabet, string>> = {
  base62: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
  hex: "0123456789abcdef",
  base64url: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
  ascii: Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i)).join(""),
};

const schema = {
  length: option.integer({ min: 16, max: 4096, default: 40, description: "characters in the new value" }),
  alphabet: option.choice(["base62", "hex", "base64url", "ascii"] as const, { default: "base62", description: "characters drawn from (uniformly, by `crypto.randomInt`)" }),
};

/** The `random` rotator type. */
export const randomRotatorType = defineRotatorType({
  type: "random",
  summary: "a new random value from node:crypto (length and alphabet); no target to update",
  options: schema,
  create: (options) => createRandomRotator(options),
});

/** A rotator that makes a uniformly random value of `length` characters from `alphabet`. */
export function createRandomRotator(options: RandomRotatorOptions): Rotator {
  const chars = ALPHABETS[options.alphabet];
  return {
    create: async () => {
      let out = "";
      // randomInt is unbiased (rejection sampling), unlike `byte % chars.length`.
      for (let i = 0; i < options.length; i++) out += chars[randomInt(chars.length)];
      return out;
    },
  };
}
