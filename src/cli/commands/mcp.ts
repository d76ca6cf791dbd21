/**
 * `hush mcp`: the gateway's routes as MCP tools (`list_credentials`, `http_request`) on stdio,
 * for an AI agent that uses API keys without holding them (docs/mcp.md). stdout carries the
 * protocol only: every human line goes to stderr.
 */
import type { Command } from "commander";
import { HushError, serveGatewayMcp, type ServeGatewayMcpOptions } from "../../index.js";
import { err, type CliContext } from "../context.js";
import type { Mapped } from "../flags.js";
import { projectFrom } from "../open-manager.js";

export function register(program: Command, ctx: CliContext): void {
  program
    .command("mcp")
    .description("serve the gateway's routes to an AI agent as MCP tools on stdio: it calls APIs, hush adds the keys")
    .option("--route <name...>", "expose only these routes (default: every route whose key is found)")
    .option("--max-response-bytes <n>", "largest reply body given back to the agent; longer ones are cut, saying so", "100000")
    .addHelpText("after", HELP)
    .action(async (opts: { route?: string[]; maxResponseBytes: string }, cmd: Command) => {
      const maxResponseBytes = Number(opts.maxResponseBytes);
      if (!Number.isInteger(maxResponseBytes) || maxResponseBytes < 1024 || maxResponseBytes > 64 * 1024 * 1024) {
        throw new HushError("INVALID_ARGUMENT", `--max-response-bytes takes a whole number from 1024 to 67108864, not ${JSON.stringify(opts.maxResponseBytes.slice(0, 20))}.`);
      }
      // A client that stops the server with a signal still gets a closed gateway and a written audit trail.
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      for (const signal of STOP_SIGNALS) process.once(signal, onSignal);
      const options: Mapped<ServeGatewayMcpOptions> = {
        ...projectFrom(cmd, ctx),
        routes: opts.route,
        maxResponseBytes,
        stdin: ctx.stdin,
        stdout: ctx.stdout,
        signal: stop.signal,
        onReady: (routes) => {
          const names = routes.map((r) => r.name + (r.revoked ? " (revoked)" : "")).join(", ");
          err(ctx, routes.length === 0 ? "hush mcp: no routes (declare gateway.routes in hush.yaml, or set a provider's key); serving on stdio" : `hush mcp: serving ${routes.length} route${routes.length === 1 ? "" : "s"} on stdio: ${names}`);
        },
      };
      try {
        await serveGatewayMcp(options);
      } finally {
        for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
      }
    });
}

// --- internal ---

const STOP_SIGNALS: readonly NodeJS.Signals[] = ["SIGTERM", "SIGINT", "SIGHUP"];

const HELP = `
Needs the MCP SDK beside hush: npm install @modelcontextprotocol/sdk zod

Tools: list_credentials (routes, secret names, policies; never a value) and
http_request { route, method, path, headers?, body? } (hush adds the key; a refusal
by the route's policy is an error result with the reason; every call is audited).

In an MCP client (Claude Desktop's claude_desktop_config.json, Cursor's .cursor/mcp.json),
with hush installed in the project (npm install -D hush-secrets @modelcontextprotocol/sdk zod):

  {
    "mcpServers": {
      "hush": {
        "command": "/path/to/your/project/node_modules/.bin/hush",
        "args": ["--cwd", "/path/to/your/project", "mcp"]
      }
    }
  }

Installed globally (npm install -g hush-secrets @modelcontextprotocol/sdk zod), "command" is "hush".
Not "npx hush": clients start servers in another folder, where npx would fetch a different package.
Claude Code: claude mcp add hush -- /path/to/your/project/node_modules/.bin/hush --cwd /path/to/your/project mcp
Routes come from hush.yaml's gateway.routes and the LLM providers whose key is set. See docs/mcp.md.
`;
