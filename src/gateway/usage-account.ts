/**
 * A route's usage caps for one run (one gateway's life): `maxTokens` (input + output tokens) and
 * `maxSpend` (US dollars at the user's own prices; hush ships no price table, since prices
 * change). The account is checked before a request is forwarded and charged when its reply ends
 * (usage-meter.ts). Requests already in flight when the cap is reached still finish and are still
 * counted, so the run's usage can pass the cap by what they use (docs/gateway.md).
 *
 * One account per route per gateway; Node runs it on one thread, so parallel requests are each
 * counted once, whatever order their replies end in.
 */
import { tokenShaped } from "../config/validate-text.js";
import type { Refusal } from "./policy.js";
import type { ModelPrice, RoutePolicy, RouteUsage } from "./types.js";

/** The tokens one reply counts for. */
export interface Charge {
  input: number;
  output: number;
  /** True when the reply's usage could not be read and this is an upper bound (usage-meter.ts). */
  estimated: boolean;
}

/** The caps of one route and what the run has used. */
export interface UsageAccount {
  /** A refusal once the run's usage reached a cap (or became unknown); undefined while under. */
  check(): Refusal | undefined;
  /**
   * With `maxSpend`, the price of `model` (exact name first, then the globs in the order written),
   * or a refusal naming the model when there is none (fail closed). Without: undefined.
   */
  priceOf(model: string | undefined): ModelPrice | Refusal | undefined;
  /** Adds one reply's tokens, at `price` (absent with `maxSpend`: the table's highest prices, an upper bound). */
  charge(tokens: Charge, price: ModelPrice | undefined): void;
  /** A reply's usage could not be read nor bounded: every further request is refused. */
  markUnknown(): void;
  usage(): RouteUsage;
}

/** The account of a policy with `maxTokens` or `maxSpend`; undefined without either (nothing is read then). */
export function createUsageAccount(policy: RoutePolicy): UsageAccount | undefined {
  const { maxTokens, maxSpend } = policy;
  if (maxTokens === undefined && maxSpend === undefined) return undefined;
  const prices = maxSpend ? compilePrices(maxSpend.prices) : undefined;
  const used = { input: 0, output: 0, spend: 0, estimated: 0, unknown: false };
  const code = maxTokens !== undefined ? "token-cap" : "spend-cap";
  return {
    check() {
      if (used.unknown) return { status: 429, code, message: "A reply's token usage on this route could not be read, so this run's usage is unknown; the route refuses further requests for this run." };
      if (maxTokens !== undefined && used.input + used.output >= maxTokens) return { status: 429, code: "token-cap", message: "The route's token cap for this run is reached." };
      if (maxSpend !== undefined && used.spend >= maxSpend.usd) return { status: 429, code: "spend-cap", message: "The route's spend cap for this run is reached." };
      return undefined;
    },
    priceOf(model) {
      if (!prices) return undefined;
      if (model === undefined) return { status: 403, code: "no-price", message: "The route has a spend cap and this request names no model, so its cost cannot be counted; it is refused." };
      return prices.lookup(model) ?? { status: 403, code: "no-price", message: `The route's spend cap has no price for model ${printable(model)}; add it under maxSpend.prices in hush.yaml.` };
    },
    charge(tokens, price) {
      used.input += tokens.input;
      used.output += tokens.output;
      if (tokens.estimated) used.estimated++;
      if (prices) {
        const p = price ?? prices.highest;
        used.spend += (tokens.input * p.input + tokens.output * p.output) / 1_000_000;
      }
    },
    markUnknown() {
      used.unknown = true;
    },
    usage: () => ({
      inputTokens: used.input,
      outputTokens: used.output,
      ...(prices ? { spendUsd: Math.round(used.spend * 1e6) / 1e6 } : {}),
      estimatedReplies: used.estimated,
      usageUnknown: used.unknown,
    }),
  };
}

// --- internal ---

function compilePrices(table: Record<string, ModelPrice>) {
  const exact = new Map<string, ModelPrice>();
  const globs: [RegExp, ModelPrice][] = [];
  for (const [name, price] of Object.entries(table)) {
    if (name.includes("*")) globs.push([new RegExp(`^${name.split("*").map(escape).join(".*")}$`), price]);
    else exact.set(name, price);
  }
  const all = Object.values(table);
  return {
    lookup: (model: string) => exact.get(model) ?? globs.find(([re]) => re.test(model))?.[1],
    highest: { input: Math.max(0, ...all.map((p) => p.input)), output: Math.max(0, ...all.map((p) => p.output)) },
  };
}

function escape(part: string): string {
  return part.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
}

/** A model name as a message may show it: the client's own text, so only a plain, short one. */
function printable(model: string): string {
  return /^[A-Za-z0-9._:/@-]{1,128}$/.test(model) && !tokenShaped(model) ? `"${model}"` : "(a name that is not shown: unusual characters or too long)";
}
