/**
 * `http_request`: one request on a route, through `gateway.call()`, which applies the route's
 * policy, adds the key, forwards, removes the key from the reply and audits. Here: the input is
 * checked (a known route, a plain path, no credential headers), the reply is made readable (text
 * or base64, cut at a size limit, saying so), and every failure, a refusal by policy included,
 * is a tool result with `isError: true` and the reason, never a thrown error.
 */
import { STATUS_CODES } from "node:http";
import { HushError } from "../errors.js";
import type { Gateway } from "../gateway/types.js";
import { exposedRoutes } from "./list-credentials.js";
import { checkRequestHeaders } from "./request-headers.js";
import { toToolBody } from "./response-body.js";
import { toolError, type ToolResult } from "./tool-result.js";

/** The arguments of `http_request`, as its schema has checked them. */
export interface HttpRequestInput {
  route: string;
  method: string;
  /** Path below the route's upstream, with an optional query: `/v1/models?limit=2`. */
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** How `body` is written: UTF-8 text (default) or base64 for bytes. */
  bodyEncoding?: "utf8" | "base64";
}

/** What `http_request` runs against. */
export interface HttpRequestContext {
  gateway: Pick<Gateway, "routes" | "call">;
  /** Only these routes may be called (`hush mcp --route`); all when absent. */
  routes?: readonly string[];
  /** Largest reply body given back, in bytes. */
  maxResponseBytes: number;
}

/** Runs one `http_request` call; resolves to a tool result in every case. */
export async function httpRequest(input: HttpRequestInput, context: HttpRequestContext): Promise<ToolResult> {
  const names = exposedRoutes(context.gateway, context.routes).map((r) => r.name);
  if (!names.includes(input.route)) {
    return toolError(`No route named "${input.route}". Routes: ${names.join(", ") || "(none)"}; list_credentials describes them.`);
  }
  const pathProblem = checkPath(input.path);
  if (pathProblem) return toolError(`Refused: the path ${pathProblem}.`);
  const checked = checkRequestHeaders(input.headers);
  if ("refused" in checked) return toolError(`Refused: ${checked.reason}.`);
  let body: Uint8Array | string | undefined = input.body;
  if (input.body !== undefined && input.bodyEncoding === "base64") {
    if (!BASE64.test(input.body)) return toolError("Refused: bodyEncoding is base64 but body is not valid base64.");
    body = Buffer.from(input.body, "base64");
  }
  try {
    const reply = await context.gateway.call({ route: input.route, method: input.method, path: input.path, headers: checked.headers, ...(body !== undefined ? { body } : {}) });
    return formatReply(input, reply, context.maxResponseBytes, checked.dropped);
  } catch (e) {
    return toolError(describeFailure(e));
  }
}

// --- internal ---

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Why `path` is refused, or undefined. The gateway checks again; this gives the agent a clear reason. */
function checkPath(path: string): string | undefined {
  if (!path.startsWith("/")) return `must start with "/" (a path below the route's upstream, not a URL): ${JSON.stringify(path.slice(0, 80))}`;
  if (path.startsWith("//")) return "must not start with \"//\" (that names another host)";
  if (/[\s\\#]/.test(path) || [...path].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) return "must not hold whitespace, control characters, a backslash or a fragment (#)";
  const pathOnly = path.split("?")[0]!;
  if (pathOnly.split("/").some((segment) => /^(\.|%2e){1,2}$/i.test(segment))) return "must not hold . or .. segments";
  return undefined;
}

function formatReply(input: HttpRequestInput, reply: Awaited<ReturnType<Gateway["call"]>>, maxBytes: number, dropped: string[]): ToolResult {
  const headers = Object.fromEntries(Object.entries(reply.headers).filter(([name]) => name.toLowerCase() !== "set-cookie"));
  const contentType = Object.entries(headers).find(([name]) => name.toLowerCase() === "content-type")?.[1];
  const body = toToolBody(reply.body, contentType, maxBytes, reply.truncated);
  const failed = reply.status >= 400;
  const lines = [`HTTP ${reply.status} ${STATUS_CODES[reply.status] ?? ""}`.trimEnd() + ` (route ${input.route}: ${input.method} ${input.path})`];
  if (failed) lines.push(REFUSAL_STATUSES.has(reply.status) ? "The request was refused: the body says why (the route's policy in hush, or the upstream)." : "The request failed: the body says why (hush's gateway or the upstream).");
  if (dropped.length > 0) lines.push(`[dropped headers that the gateway sets itself: ${dropped.join(", ")}]`);
  if (Object.keys(headers).length < Object.keys(reply.headers).length) lines.push("[Set-Cookie left out: the agent does not hold session credentials]");
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  lines.push("");
  if (body.encoding === "base64") lines.push(`[the body is binary${contentType ? ` (${contentType})` : ""}: base64 of ${body.truncated ? "its first bytes" : `its ${body.bytes} bytes`} below]`);
  if (body.truncated) lines.push(truncationNote(body.bytes, maxBytes, reply.truncated));
  lines.push(body.body);
  const structured = { status: reply.status, headers, body: body.body, bodyEncoding: body.encoding, bytes: body.bytes, truncated: body.truncated };
  return { content: [{ type: "text", text: lines.join("\n") }], structuredContent: structured, ...(failed ? { isError: true } : {}) };
}

const REFUSAL_STATUSES = new Set([401, 403, 413, 429]);

function truncationNote(bytes: number, maxBytes: number, byGateway: boolean): string {
  if (byGateway && bytes <= maxBytes) return `[truncated: the gateway cut the body at ${bytes} bytes]`;
  return `[truncated: only the first ${maxBytes} of ${byGateway ? "more than " : ""}${bytes} bytes]`;
}

/** A thrown failure in words for the agent: a HushError's code, message and hint (never a value); else only the error's code. */
function describeFailure(e: unknown): string {
  if (e instanceof HushError) return `The request failed: ${e.code}: ${e.message} (${e.hint})`;
  const code = (e as { code?: unknown } | undefined)?.code;
  return `The request failed${typeof code === "string" ? ` (${code})` : ""}.`;
}
