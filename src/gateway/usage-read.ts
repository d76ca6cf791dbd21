/**
 * The token usage a provider reports in a reply, read as the reply passes: the reader only looks
 * at each chunk (it never holds one back or changes it), so server-sent events reach the client as
 * they come. Used only on a route with `maxTokens` or `maxSpend` (usage-meter.ts).
 *
 * The documented shapes it reads:
 * - OpenAI chat completions: `usage: { prompt_tokens, completion_tokens }`; streamed, the last
 *   chunk's `usage` (sent with `stream_options.include_usage`; the other chunks carry `usage: null`);
 *   embeddings: `prompt_tokens` and `total_tokens`;
 * - OpenAI responses: `usage: { input_tokens, output_tokens }`; streamed, `response.usage` of
 *   `response.completed` (or `.incomplete`, `.failed`);
 * - Anthropic messages: `usage: { input_tokens, output_tokens, cache_creation_input_tokens,
 *   cache_read_input_tokens }` (the cache counts are input too); streamed, `message.usage` of
 *   `message_start` (input) and the cumulative `usage` of `message_delta` (output);
 * - Google Gemini: `usageMetadata: { promptTokenCount, totalTokenCount }`, cumulative when streamed.
 *
 * Counts are cumulative where a stream repeats them: the last value of each field wins.
 */
import { StringDecoder } from "node:string_decoder";

/** What a reply said about its usage. */
export interface ReadUsage {
  input: number | undefined;
  output: number | undefined;
  /** True when the reply's final usage was seen (not only `message_start`'s input count). */
  complete: boolean;
}

/** Looks at a reply's chunks; {@link UsageReader.result} may be asked at any time (a reply cut short gives what was seen). */
export interface UsageReader {
  observe(chunk: Buffer): void;
  result(): ReadUsage;
}

/** Largest JSON reply parsed for its usage; a larger one's usage reads as unknown. */
export const MAX_USAGE_JSON_BYTES = 8 * 1024 * 1024;
/** Longest server-sent-event line kept while incomplete; a longer one is skipped (its usage unknown). */
export const MAX_EVENT_LINE_BYTES = 1024 * 1024;

/** A reader for a reply of this content type: server-sent events, else one JSON document. */
export function createUsageReader(contentType: string): UsageReader {
  return /text\/event-stream/i.test(contentType) ? eventStreamReader() : jsonReader();
}

/** The usage in one parsed JSON object (a reply, or one event's data), merged into `into`. */
export function takeUsage(o: unknown, into: ReadUsage): void {
  if (!isObject(o)) return;
  if (isObject(o.usage)) merge(o.usage, into, true);
  else if (isObject(o.usageMetadata)) merge(o.usageMetadata, into, true);
  else if (isObject(o.response) && isObject(o.response.usage)) merge(o.response.usage, into, true);
  else if (isObject(o.message) && isObject(o.message.usage)) merge(o.message.usage, into, false); // message_start: input so far
}

// --- internal ---

function jsonReader(): UsageReader {
  const chunks: Buffer[] = [];
  let size = 0;
  let read: ReadUsage | undefined;
  return {
    observe(chunk) {
      size += chunk.length;
      if (size <= MAX_USAGE_JSON_BYTES) chunks.push(chunk);
      else chunks.length = 0;
    },
    result() {
      if (read) return read;
      read = { input: undefined, output: undefined, complete: false };
      if (size > MAX_USAGE_JSON_BYTES || size === 0) return read;
      try {
        takeUsage(JSON.parse(Buffer.concat(chunks, size).toString("utf8")), read);
      } catch (_e) {
        // Not JSON (or cut short): the usage is unknown. The parser's message quotes input: dropped.
      }
      chunks.length = 0;
      return read;
    },
  };
}

function eventStreamReader(): UsageReader {
  const decoder = new StringDecoder("utf8");
  const read: ReadUsage = { input: undefined, output: undefined, complete: false };
  let partial = "";
  let skipping = false; // inside a line longer than MAX_EVENT_LINE_BYTES
  return {
    observe(chunk) {
      let text = decoder.write(chunk);
      if (skipping) {
        const nl = text.indexOf("\n");
        if (nl === -1) return;
        text = text.slice(nl + 1);
        skipping = false;
      }
      text = partial + text;
      const end = text.lastIndexOf("\n");
      const lines = end === -1 ? "" : text.slice(0, end);
      partial = text.slice(end + 1);
      if (partial.length > MAX_EVENT_LINE_BYTES) {
        partial = "";
        skipping = true;
      }
      // Most events carry no usage (OpenAI's carry `"usage":null`): parse only lines with a usage object.
      if (lines !== "" && USAGE_OBJECT.test(lines)) for (const line of lines.split("\n")) if (line.startsWith("data:") && USAGE_OBJECT.test(line)) takeEvent(line.slice(5), read);
    },
    result: () => read,
  };
}

const USAGE_OBJECT = /"(usage|usageMetadata)"\s*:\s*\{/;

function takeEvent(data: string, into: ReadUsage): void {
  try {
    takeUsage(JSON.parse(data), into);
  } catch (_e) {
    // An event that is not JSON carries no usage we can read.
  }
}

function merge(u: Record<string, unknown>, into: ReadUsage, final: boolean): void {
  const input = count(u.prompt_tokens) ?? count(u.promptTokenCount) ?? anthropicInput(u);
  const total = count(u.total_tokens) ?? count(u.totalTokenCount);
  const output = count(u.completion_tokens) ?? count(u.output_tokens) ?? (total !== undefined && input !== undefined && total >= input ? total - input : undefined);
  if (input !== undefined) into.input = input;
  if (output !== undefined) into.output = output;
  if (final && into.input !== undefined && into.output !== undefined) into.complete = true;
}

/** Anthropic's input: `input_tokens` plus the cache's (written and read) tokens, which it counts apart. */
function anthropicInput(u: Record<string, unknown>): number | undefined {
  const input = count(u.input_tokens);
  if (input === undefined) return undefined;
  return input + (count(u.cache_creation_input_tokens) ?? 0) + (count(u.cache_read_input_tokens) ?? 0);
}

function count(v: unknown): number | undefined {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
