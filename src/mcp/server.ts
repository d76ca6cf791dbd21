/**
 * The MCP server of the gateway: two tools, `list_credentials` and `http_request`, on a
 * {@link Gateway} given by the caller (`hush mcp` starts one with no listener; a test gives its
 * own). Built on the official SDK, loaded lazily (./sdk.ts). The server holds no key: the
 * gateway adds it to each upstream request and removes it from each reply.
 */
import type { Gateway } from "../gateway/types.js";
import { VERSION } from "../version.js";
import { listCredentials } from "./list-credentials.js";
import { httpRequest } from "./http-request.js";
import { MAX_REQUEST_HEADERS } from "./request-headers.js";
import { DEFAULT_MAX_RESPONSE_BYTES } from "./response-body.js";
import { loadMcpSdk, type McpSdk } from "./sdk.js";

/** Options of {@link createMcpServer}. */
export interface CreateMcpServerOptions {
  /** The gateway the tools call: its policy, key swap and audit apply to every request. */
  gateway: Pick<Gateway, "routes" | "call">;
  /** Only these routes are listed and callable (`hush mcp --route NAME`). @default every route */
  routes?: readonly string[];
  /** Largest reply body given back to the agent, in bytes; longer ones are cut, and the result says so. @default 100000 */
  maxResponseBytes?: number;
}

/** A transport of the MCP SDK (`StdioServerTransport`, `InMemoryTransport`, ...), typed loosely so hush's types do not name the optional SDK. */
export interface McpTransport {
  start(): Promise<void>;
  close(): Promise<void>;
}

/** The MCP server: connect it to a transport; `close()` ends the session (it does not close the gateway). */
export interface HushMcpServer {
  connect(transport: McpTransport): Promise<void>;
  close(): Promise<void>;
  /** Settles when the session ends, from either side (a closed transport, a message over the transport's size limit). */
  readonly closed: Promise<void>;
}

/**
 * Creates the MCP server on `options.gateway`. Loads `@modelcontextprotocol/sdk` and `zod`
 * (MISSING_DEPENDENCY when they are not installed).
 *
 * @example
 * const server = await createMcpServer({ gateway });
 * await server.connect(transport); // e.g. the SDK's StdioServerTransport
 */
export async function createMcpServer(options: CreateMcpServerOptions): Promise<HushMcpServer> {
  const sdk = await loadMcpSdk();
  const { gateway, routes } = options;
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  // A bound on the arguments' size in elements (the SDK counts array items and object members).
  const server = new sdk.McpServer({ name: "hush", version: VERSION }, { maxToolInputElements: 4 * MAX_REQUEST_HEADERS, instructions: INSTRUCTIONS });
  const schemas = toolSchemas(sdk.z);
  server.registerTool("list_credentials", {
    title: "List the credentials hush can use for you",
    description: "The routes you can call with http_request: each route's name, upstream, the name of the secret hush uses as its key, how the key is sent, and its policy (allowed methods and paths, limits, revoked). Never a key value.",
    inputSchema: {},
    outputSchema: schemas.listOutput,
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, () => listCredentials(gateway, routes));
  server.registerTool("http_request", {
    title: "Call an API through hush",
    description: `Send an HTTP request to a route's upstream. hush adds the route's key (never send Authorization, Cookie or API-key headers), applies the route's policy and audits the call. Returns status, headers and body (text, or base64 for binary; cut at ${maxResponseBytes} bytes, saying so). A refusal by the policy is an error result with the reason.`,
    inputSchema: schemas.requestInput,
    outputSchema: schemas.requestOutput,
    annotations: { readOnlyHint: false, destructiveHint: true, openWorldHint: true },
  }, (input) => httpRequest(input, { gateway, routes, maxResponseBytes }));
  const closed = new Promise<void>((resolve) => {
    server.server.onclose = resolve;
  });
  return {
    connect: (transport) => server.connect(transport as Parameters<typeof server.connect>[0]),
    close: () => server.close(),
    closed,
  };
}

// --- internal ---

const INSTRUCTIONS = "hush holds API keys for you. Call list_credentials to see the routes, then http_request to call one: hush adds the key, so never ask for it or send one.";

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

/** The tools' schemas, in zod (the SDK's schema language for tools); zod 3.25+ and 4 share this API. */
function toolSchemas(z: McpSdk["z"]) {
  const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/, "a header name is an HTTP token");
  const headerValue = z.string().max(8192).refine((v) => !/[\r\n]/.test(v) && !v.includes("\u0000"), "a header value holds no CR, LF or NUL");
  const limits = z.object({ count: z.number(), perMs: z.number() });
  return {
    requestInput: {
      route: z.string().min(1).max(128).describe("A route name from list_credentials."),
      method: z.enum(METHODS).describe("The HTTP method, upper case."),
      path: z.string().min(1).max(8192).describe("The path below the route's upstream, with an optional query: /v1/models?limit=2."),
      headers: z.record(headerName, headerValue)
        .refine((h) => Object.keys(h).length <= MAX_REQUEST_HEADERS, `at most ${MAX_REQUEST_HEADERS} headers`)
        .optional().describe("Request headers (Content-Type, Accept, ...); no credentials: hush adds the key."),
      body: z.string().optional().describe("The request body."),
      bodyEncoding: z.enum(["utf8", "base64"]).optional().describe("How body is written: utf8 text (default) or base64 for bytes."),
    },
    requestOutput: {
      status: z.number(),
      headers: z.record(z.string(), z.string()),
      body: z.string(),
      bodyEncoding: z.enum(["text", "base64"]),
      bytes: z.number(),
      truncated: z.boolean(),
    },
    listOutput: {
      routes: z.array(z.object({
        route: z.string(),
        secret: z.string(),
        upstream: z.string(),
        auth: z.string(),
        allow: z.array(z.string()).optional(),
        rateLimit: limits.optional(),
        maxRequestBytes: z.number().optional(),
        maxRequests: z.number().optional(),
        maxTokens: z.number().optional(),
        maxSpendUsd: z.number().optional(),
        usage: z.object({ inputTokens: z.number(), outputTokens: z.number(), spendUsd: z.number().optional(), estimatedReplies: z.number(), usageUnknown: z.boolean() }).optional(),
        revoked: z.boolean(),
        builtIn: z.boolean(),
      })),
    },
  };
}
