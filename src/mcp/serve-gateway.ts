/**
 * What `hush mcp` does, as one library call: load the MCP SDK (before anything else, so a
 * missing package fails at once), start the project's gateway with no listener, serve the MCP
 * tools on stdio until the client closes stdin, then close the gateway.
 */
import type { ProjectOptions } from "../workflows/project.js";
import type { GatewayRouteSummary } from "../gateway/types.js";
import { DEFAULT_MAX_RESPONSE_BYTES } from "./response-body.js";
import { loadMcpSdk } from "./sdk.js";
import { serveMcpStdio, type ServeMcpStdioOptions } from "./serve-stdio.js";

/** Options of {@link serveGatewayMcp}. */
export interface ServeGatewayMcpOptions extends ProjectOptions, Pick<ServeMcpStdioOptions, "stdin" | "stdout" | "maxResponseBytes" | "signal"> {
  /** Only these routes (`--route`); an unknown name is INVALID_ARGUMENT. @default every route whose key is found */
  routes?: string[];
  /** Called once the gateway runs, with the routes served (for a line on stderr; never a value). */
  onReady?: (routes: GatewayRouteSummary[]) => void;
}

/**
 * Runs `hush mcp`: the project's gateway (no listener), its routes as MCP tools on stdio, until
 * stdin ends. The gateway is closed whatever happens.
 *
 * @example
 * await serveGatewayMcp({ cwd: "/path/to/project", routes: ["stripe"] });
 */
export async function serveGatewayMcp(options: ServeGatewayMcpOptions): Promise<void> {
  await loadMcpSdk();
  const { startGateway } = await import("../gateway/start.js");
  const { stdin, stdout, maxResponseBytes, routes, onReady, signal, ...project } = options;
  // The gateway buffers up to 1 MiB (or the tool's limit, if larger) so the tool can say how long a cut body was.
  const maxCallResponseBytes = Math.max(maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES, 1024 * 1024);
  const gateway = await startGateway({ ...project, listen: false, routes, command: "hush mcp", maxCallResponseBytes });
  try {
    onReady?.(gateway.routes());
    await serveMcpStdio({ gateway, routes, stdin, stdout, maxResponseBytes, signal });
  } finally {
    await gateway.close();
  }
}
