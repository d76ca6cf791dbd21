/**
 * The MCP server over stdio, as `hush mcp` runs it: JSON-RPC on stdin and stdout (so nothing
 * else may write to stdout), served until stdin ends (the client went away), then closed.
 */
import type { Readable, Writable } from "node:stream";
import { createMcpServer, type CreateMcpServerOptions } from "./server.js";
import { loadMcpSdk } from "./sdk.js";

/** Options of {@link serveMcpStdio}. */
export interface ServeMcpStdioOptions extends CreateMcpServerOptions {
  /** Where the client's messages come from. @default process.stdin */
  stdin?: Readable;
  /** Where the replies go: the protocol only. @default process.stdout */
  stdout?: Writable;
  /** Stops serving when aborted (`hush mcp` aborts on SIGTERM, SIGINT and SIGHUP, so the gateway closes and the audit trail is written). */
  signal?: AbortSignal;
}

/**
 * Serves the MCP server on stdio until stdin ends or fails, the transport closes (a message over
 * its 10 MB limit), or `signal` aborts, then closes the session. The gateway stays open: its owner closes it.
 *
 * @example
 * await serveMcpStdio({ gateway }); // returns when the client closes stdin
 */
export async function serveMcpStdio(options: ServeMcpStdioOptions): Promise<void> {
  const { StdioServerTransport } = await loadMcpSdk();
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const server = await createMcpServer(options);
  const ended = new Promise<void>((resolve) => {
    stdin.once("end", resolve);
    stdin.once("close", resolve);
    stdin.once("error", () => resolve());
    if (options.signal?.aborted) resolve();
    options.signal?.addEventListener("abort", () => resolve(), { once: true });
  });
  await server.connect(new StdioServerTransport(stdin, stdout));
  await Promise.race([ended, server.closed]);
  await server.close();
}
