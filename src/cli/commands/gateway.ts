/**
 * `hush gateway`: a local gateway that lets agents use keys without holding them
 * (docs/gateway.md). `hush gateway` runs until SIGINT/SIGTERM; `routes` lists the routes;
 * `revoke` / `unrevoke` flip a route for every running gateway of the project at once.
 * Never prints a key; handles go to an env file (0600) or, with --json, to stdout.
 */
import type { Command } from "commander";
import {
  HushError,
  listGatewayRoutes,
  revokeGatewayRoute,
  startGateway,
  type Gateway,
  type GatewayRouteListing,
  type ListGatewayRoutesOptions,
  type RevokeGatewayRouteOptions,
  type StartGatewayOptions,
} from "../../index.js";
import { err, out, outJson, type CliContext } from "../context.js";
import type { Mapped } from "../flags.js";
import { globalOptions, projectFrom } from "../open-manager.js";

interface GatewayFlags {
  port?: string;
  socket?: string;
  route?: string[];
  envOut?: string;
  json?: boolean;
}

const HELP_AFTER = `
The gateway listens on 127.0.0.1 (a random port unless --port) or on a Unix socket (--socket, in
a private folder). Each route maps /<route>/ to an upstream and a secret: the built-in LLM routes
(openai, anthropic, google, mistral, xai, groq, deepseek, together, openrouter) are active when
their key is found; hush.yaml's gateway.routes adds others. Clients send a per-run handle
(hush_h_...) in place of the key; the gateway swaps in the real key, forwards over verified TLS and
removes the key from the reply. The handles are written to --env-out (0600, removed on exit) or,
with --json, printed on stdout; the key is never printed.

Examples:
  hush gateway --env-out .gateway.env           # then: set -a; . ./.gateway.env; node agent.js
  hush gateway --route openai --json
  hush gateway routes
  hush gateway revoke openai                    # running gateways refuse it at once
  hush run --gateway -- node agent.js           # the child gets handles, never the keys
`;

export function register(program: Command, ctx: CliContext): void {
  const gateway = program
    .command("gateway")
    .description("a local gateway: agents use keys without holding them")
    .option("--port <n>", "TCP port on 127.0.0.1 (default: a random one)")
    .option("--socket <path>", "listen on a Unix socket instead (0600, in a private folder)")
    .option("--route <name>", "serve only this route (repeatable)", collect)
    // Not --env-file: Node 20 reads that flag itself, even after the script's name, and exits.
    .option("--env-out <path>", "write the handles and base URLs to this dotenv file (0600; removed on exit)")
    .option("--json", "print the URL, run id, routes and the handles as JSON on stdout")
    .addHelpText("after", HELP_AFTER)
    .action((flags: GatewayFlags, cmd: Command) => serveGateway(flags, cmd, ctx));

  gateway
    .command("routes")
    .description("list the routes: upstream, secret, policy, whether the key is found, revoked (never a key)")
    .option("--json", "machine-readable output")
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const options: Mapped<ListGatewayRoutesOptions> = projectFrom(cmd, ctx);
      const routes = await listGatewayRoutes(options);
      // `--json` after `routes` may land on `gateway`'s own --json: either counts.
      if (opts.json || cmd.parent?.opts<{ json?: boolean }>().json || globalOptions(cmd).json) return outJson(ctx, routes);
      for (const r of routes) out(ctx, formatRoute(r));
    });

  for (const [name, revoke] of [["revoke", true], ["unrevoke", false]] as const) {
    gateway
      .command(`${name} <route>`)
      .description(revoke ? "refuse every request on a route, in every running gateway of the project, at once" : "lift a revocation")
      .action(async (route: string, _opts: unknown, cmd: Command) => {
        const options: Mapped<RevokeGatewayRouteOptions> = { ...projectFrom(cmd, ctx), revoke };
        const revoked = await revokeGatewayRoute(route, options);
        err(ctx, `${route}: ${revoke ? "revoked" : "no longer revoked"}; revoked routes: ${revoked.join(", ") || "none"}`);
      });
  }
}

// --- internal ---

async function serveGateway(flags: GatewayFlags, cmd: Command, ctx: CliContext): Promise<void> {
  if (flags.port !== undefined && flags.socket !== undefined) throw new HushError("INVALID_ARGUMENT", "Give --port or --socket, not both.");
  const port = flags.port === undefined ? 0 : Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new HushError("INVALID_ARGUMENT", "--port takes a whole number from 0 to 65535.");
  const json = Boolean(flags.json || globalOptions(cmd).json);
  if (!json && flags.envOut === undefined) err(ctx, "note: no --env-out or --json: the handles are not shown anywhere; clients cannot use the gateway.");
  const options: Mapped<StartGatewayOptions> = {
    ...projectFrom(cmd, ctx),
    listen: flags.socket !== undefined ? { socket: flags.socket } : { port },
    routes: flags.route,
    envFile: flags.envOut,
    project: undefined,
    command: "hush gateway",
    upstreamTimeoutMs: undefined,
    headersTimeoutMs: undefined,
    requestTimeoutMs: undefined,
    maxCallResponseBytes: undefined,
    keyRefreshMs: undefined,
    previousKeyMs: undefined,
  };
  // The handlers go first: the --env-out file and the --json line say "ready", and a SIGTERM sent
  // as soon as they appear must close the gateway (and remove the file), not kill the process.
  const signal = untilSignal();
  let gateway: Gateway;
  try {
    gateway = await startGateway(options);
  } catch (e) {
    signal.cancel();
    throw e;
  }
  const routes = gateway.routes();
  err(ctx, `hush gateway: listening on ${gateway.url} (run ${gateway.runId})`);
  for (const r of routes) err(ctx, `  /${r.name} -> ${r.upstream} (secret ${r.secret})`);
  if (routes.length === 0) err(ctx, "  no active route: no key was found for any route (`hush gateway routes`)");
  if (flags.envOut !== undefined) err(ctx, `handles written to ${flags.envOut} (0600)`);
  if (json) outJson(ctx, { url: gateway.url, runId: gateway.runId, routes, environment: gateway.childEnvironment() });
  await signal.received;
  await gateway.close();
  err(ctx, "hush gateway: stopped");
}

/** Installs SIGINT and SIGTERM handlers now; `received` resolves on the first; `cancel` removes them. */
function untilSignal(): { received: Promise<void>; cancel(): void } {
  let stop!: () => void;
  const received = new Promise<void>((resolve) => {
    stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
  });
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  return { received, cancel: stop };
}

function formatRoute(r: GatewayRouteListing): string {
  const state = r.revoked ? "revoked" : r.active ? "active" : "no key";
  const policy = [r.policy.allow ? `allow ${r.policy.allow.join(" ")}` : "", r.policy.rateLimit ? `${r.policy.rateLimit.count}/${r.policy.rateLimit.perMs / 1000}s` : "", r.policy.maxRequests ? `cap ${r.policy.maxRequests}` : "", r.policy.maxTokens ? `tokens ${r.policy.maxTokens}` : "", r.policy.maxSpend ? `spend $${r.policy.maxSpend.usd}` : ""].filter(Boolean).join("; ");
  return `${r.name.padEnd(12)} ${state.padEnd(8)} ${r.upstream}  secret ${r.secret}  ${r.keyVariables[0] ?? ""}${policy ? `  ${policy}` : ""}`;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
