/**
 * A gateway route's `maxSpend` in hush.yaml: `{ usd: 5, prices: { "<model or glob>": { input,
 * output } } }`, prices in US dollars per million tokens, given by the user (hush ships no price
 * table: prices change). Problems name the path, never a value.
 */
import type { ModelPrice, SpendCap } from "../gateway/types.js";
import { isMapping, kindOf, type AddProblem, type ConfigPath, type OptionField } from "./options-schema.js";
import { checkKeys, tokenShaped } from "./validate-text.js";

/** A model name or glob as a price table key. */
const MODEL_KEY = /^[A-Za-z0-9._:/@*+-]{1,128}$/;

/** The `maxSpend` field of a route's schema. */
export const MAX_SPEND_FIELD: OptionField<SpendCap, false> = {
  docType: "{ usd, prices }",
  description: "US dollars per run at the given prices (per million tokens, by model or glob)",
  check: checkSpend,
};

// --- internal ---

function checkSpend(value: unknown, path: ConfigPath, add: AddProblem): SpendCap | undefined {
  if (!isMapping(value)) {
    add(path, `expected a mapping { usd: <dollars>, prices: { <model>: { input, output } } }, got ${kindOf(value)}.`);
    return undefined;
  }
  checkKeys(value, path, ["usd", "prices"], add);
  const usd = value.usd;
  let ok = typeof usd === "number" && Number.isFinite(usd) && usd > 0 && usd <= 1e9;
  if (!ok) add([...path, "usd"], "expected the cap in US dollars: a number greater than 0.");
  if (!isMapping(value.prices) || Object.keys(value.prices).length === 0) {
    add([...path, "prices"], "expected a mapping of model name (or glob, `gpt-4o*`) to { input, output }, US dollars per million tokens; hush ships no prices (they change).");
    return undefined;
  }
  const prices: Record<string, ModelPrice> = {};
  for (const [model, price] of Object.entries(value.prices)) {
    if (!MODEL_KEY.test(model) || tokenShaped(model)) {
      add([...path, "prices"], "a model name is not one (letters, digits, . _ : / @ + - and * for globs, at most 128), or looks like a token.");
      ok = false;
      continue;
    }
    const checked = checkPrice(price, [...path, "prices", model], add);
    if (checked) prices[model] = checked;
    else ok = false;
  }
  return ok ? { usd: usd as number, prices } : undefined;
}

function checkPrice(price: unknown, at: ConfigPath, add: AddProblem): ModelPrice | undefined {
  if (!isMapping(price)) {
    add(at, `expected { input: <dollars per million tokens>, output: <dollars per million tokens> }, got ${kindOf(price)}.`);
    return undefined;
  }
  checkKeys(price, at, ["input", "output"], add);
  let ok = true;
  for (const side of ["input", "output"] as const) {
    const v = price[side];
    if (!(typeof v === "number" && Number.isFinite(v) && v >= 0 && v <= 1e6)) {
      add([...at, side], "expected US dollars per million tokens: a number of 0 or more.");
      ok = false;
    }
  }
  return ok ? { input: price.input as number, output: price.output as number } : undefined;
}
