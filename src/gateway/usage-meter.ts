/**
 * One request on a route with `maxTokens` or `maxSpend` (forward.ts calls this only there; other
 * routes pay nothing for it). Before forwarding: the body, read whole (up to the route's size
 * limit), is looked at for the model and the largest output it asks for; with `maxSpend` a model
 * without a price is refused; an OpenAI streamed chat completion gets
 * `stream_options.include_usage: true` added, so its last chunk reports the usage. While the
 * reply passes: usage-read.ts looks at each chunk. When it ends (or breaks off): the account is
 * charged.
 *
 * A reply whose usage cannot be read never counts as zero. A successful (2xx) reply to a request
 * with a body is counted at an upper bound instead: the request's bytes as input (a token covers
 * at least one byte of text) and its `max_tokens` (`max_completion_tokens`,
 * `max_output_tokens`, `maxOutputTokens`) as output. A request that set no such limit has no
 * bound: the route then refuses every further request for the run (usage-account.ts). Replies
 * that are not 2xx, and requests without a body, count what their reply reports, else zero
 * (providers do not bill refused requests).
 */
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import type { Refusal } from "./policy.js";
import type { Charge, UsageAccount } from "./usage-account.js";
import { createUsageReader, type UsageReader } from "./usage-read.js";

/** A metered request: the body to send, and the reply's counting. */
export interface MeteredCall {
  /** The body to send (with `include_usage` added where it applies), or the one given. */
  body: Buffer | undefined;
  /** The headers to send (Content-Length set again when the body changed). */
  headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>;
  /** Follows the reply: looks at each chunk, charges when it ends. */
  watch(res: IncomingMessage): void;
  /** The request was sent but no reply came in time: it may have been served, so it counts at its bound. */
  lost(): void;
  /** The tokens this request counted for (charging now from what was seen, if its reply has not ended). */
  tokens(): Charge | undefined;
}

/** Meters a request whose body (if any) was read whole. A refusal when `maxSpend` has no price for its model. */
export function meterCall(account: UsageAccount, body: Buffer | undefined, target: string, headers: MeteredCall["headers"]): MeteredCall | Refusal {
  const call = body === undefined || body.length === 0 ? undefined : readCall(body, target.split("?", 1)[0]!);
  const price = account.priceOf(call ? call.model : undefined);
  // With `maxSpend`, a request with a body must name a priced model (fail closed); a body-less one (GET /v1/models) passes.
  if (price !== undefined && "code" in price && call !== undefined) return price;
  const sent = call?.body ?? body;
  const sentHeaders = sent === body ? headers : { ...headers, "content-length": String(sent!.length) };
  let reader: UsageReader | undefined;
  let status = 0;
  let charged: Charge | undefined;
  const settle = (): Charge => {
    if (charged) return charged;
    charged = chargeFor(reader, status, call, sent?.length ?? 0, account);
    account.charge(charged, price === undefined || "code" in price ? undefined : price);
    return charged;
  };
  return {
    body: sent,
    headers: sentHeaders,
    watch(res) {
      status = res.statusCode ?? 0;
      const r = createUsageReader(String(res.headers["content-type"] ?? ""));
      reader = r;
      res.on("data", (chunk: Buffer) => r.observe(chunk));
      res.on("end", settle);
      res.on("close", settle);
    },
    lost() {
      status = 200; // it may have been served: count it at its bound
      settle();
    },
    tokens: () => (reader || charged ? settle() : undefined),
  };
}

// --- internal ---

/** What the request body says: model, output limit, and the body to send. */
interface CallFacts {
  model: string | undefined;
  maxOutput: number | undefined;
  body: Buffer;
}

function readCall(body: Buffer, path: string): CallFacts {
  let json: unknown;
  try {
    json = JSON.parse(body.toString("utf8"));
  } catch (_e) {
    // Not JSON: no model, no limit (the parser's message quotes input: dropped).
  }
  const o = typeof json === "object" && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : {};
  const inPath = /\/models\/([^/:]+):/.exec(path)?.[1]; // Gemini: /v1beta/models/<model>:generateContent
  const model = typeof o.model === "string" ? o.model : inPath;
  const config = typeof o.generationConfig === "object" && o.generationConfig !== null ? (o.generationConfig as Record<string, unknown>) : {};
  const maxOutput = [o.max_tokens, o.max_completion_tokens, o.max_output_tokens, config.maxOutputTokens].find((v): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0);
  return { model, maxOutput, body: path.endsWith("/chat/completions") && o.stream === true ? withIncludeUsage(body, o) : body };
}

/** The body with `stream_options.include_usage: true` (inserted as text when absent, so nothing else of the body changes). */
function withIncludeUsage(body: Buffer, o: Record<string, unknown>): Buffer {
  const options = o.stream_options;
  if (typeof options === "object" && options !== null && (options as Record<string, unknown>).include_usage === true) return body;
  if (options === undefined) {
    const text = body.toString("utf8");
    const open = text.indexOf("{");
    return Buffer.from(`${text.slice(0, open + 1)}"stream_options":{"include_usage":true},${text.slice(open + 1)}`, "utf8");
  }
  // stream_options present without include_usage: written again whole (rare; numbers past 2^53 would lose digits).
  const merged = { ...o, stream_options: { ...(typeof options === "object" && options !== null ? options : {}), include_usage: true } };
  return Buffer.from(JSON.stringify(merged), "utf8");
}

function chargeFor(reader: UsageReader | undefined, status: number, call: CallFacts | undefined, bytes: number, account: UsageAccount): Charge {
  const read = reader?.result();
  if (read?.complete) return { input: read.input!, output: read.output!, estimated: false };
  if (call === undefined || status < 200 || status >= 300) return { input: 0, output: 0, estimated: false };
  if (call.maxOutput !== undefined) return { input: read?.input ?? bytes, output: Math.max(call.maxOutput, read?.output ?? 0), estimated: true };
  account.markUnknown();
  return { input: read?.input ?? bytes, output: read?.output ?? 0, estimated: true };
}
