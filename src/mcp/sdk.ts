/**
 * The official MCP SDK (`@modelcontextprotocol/sdk`) and `zod`, the schema library its tool API
 * takes, loaded on first use: only `hush mcp` needs them, so they are optional peer
 * dependencies and nothing else in hush imports them. A missing package is MISSING_DEPENDENCY
 * with the install command.
 */
import { HushError } from "../errors.js";

/** The parts of the SDK and zod that the MCP server uses. */
export interface McpSdk {
  McpServer: typeof import("@modelcontextprotocol/sdk/server/mcp.js").McpServer;
  StdioServerTransport: typeof import("@modelcontextprotocol/sdk/server/stdio.js").StdioServerTransport;
  z: typeof import("zod").z;
}

/** The command that installs what `hush mcp` needs. */
export const MCP_INSTALL_COMMAND = "npm install @modelcontextprotocol/sdk zod";

/** Loads the SDK and zod once per process; MISSING_DEPENDENCY when either is not installed. */
export function loadMcpSdk(): Promise<McpSdk> {
  loading ??= importSdk().catch((e: unknown) => {
    loading = undefined; // a later call (after an install) tries again
    throw e;
  });
  return loading;
}

// --- internal ---

let loading: Promise<McpSdk> | undefined;

async function importSdk(): Promise<McpSdk> {
  try {
    const [mcp, stdio, zod] = await Promise.all([
      import("@modelcontextprotocol/sdk/server/mcp.js"),
      import("@modelcontextprotocol/sdk/server/stdio.js"),
      import("zod"),
    ]);
    return { McpServer: mcp.McpServer, StdioServerTransport: stdio.StdioServerTransport, z: zod.z };
  } catch (e) {
    throw new HushError("MISSING_DEPENDENCY", `\`hush mcp\` needs the MCP SDK and zod: ${MCP_INSTALL_COMMAND}`, { cause: e });
  }
}
