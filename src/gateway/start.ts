/**
 * `startGateway`: opens the project (hush.yaml, the chain, the audit trail), resolves the key
 * of every route (a built-in route is active only when its key is found), gives each a fresh
 * handle, and listens on 127.0.0.1 (a random port by default) or a Unix socket.
 *
 * @example
 * import { startGateway } from "hush-secrets";
 * const gateway = await startGateway({ listen: { port: 0 } });
 * spawn("node", ["agent.js"], { env: { ...process.env, ...gateway.childEnvironment() } });
 * // ...
 * await gateway.close();
 */
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { resolve } from "node:path";
import { writeFileAtomic } from "../fs/atomic-write.js";
import { HushError } from "../errors.js";
import type { ConfiguredManager } from "../config/open.js";
import type { ProjectOptions } from "../workflows/project.js";
import { activateRoute, type ActiveRoute } from "./active-route.js";
import { gatewayActor } from "./audit.js";
import { createEngine } from "./engine.js";
import { callRoute } from "./call.js";
import { listenGateway, type Listening } from "./listen.js";
import { revocationPath, watchRevocations } from "./revocation.js";
import { planRoutes } from "./routes.js";
import { resolveRouteKeys } from "./route-keys.js";
import { summarizeRoute } from "./summary.js";
import type { Gateway } from "./types.js";

/** Options of {@link startGateway}. */
export interface StartGatewayOptions extends ProjectOptions {
  /** Where to listen: a TCP port on 127.0.0.1 (0: a random one) or a Unix socket path; false: no listener (`call` only, as `hush mcp`). @default { port: 0 } */
  listen?: { port?: number; socket?: string } | false;
  /** Only these routes. @default every route whose key is found */
  routes?: string[];
  /** An opened project to use (not disposed by `close`). @default the project of `cwd`, opened here */
  project?: ConfiguredManager;
  /** The command named in audit records. @default "hush gateway" */
  command?: string;
  /** Longest wait for the upstream's reply headers, in ms. @default 120000 */
  upstreamTimeoutMs?: number;
  /** Longest wait for a client's request headers, in ms (slowloris). @default 10000 */
  headersTimeoutMs?: number;
  /** Longest wait for a client's whole request, in ms. @default 120000 */
  requestTimeoutMs?: number;
  /** Largest body `call` returns; the rest is cut (`truncated`). @default 1048576 */
  maxCallResponseBytes?: number;
  /** Also write {@link Gateway.childEnvironment} to this file (dotenv lines, 0600, atomic); removed by `close`. @default none */
  envFile?: string;
}

/** Starts a gateway. Throws INVALID_ARGUMENT for an unknown route in `routes`, and what opening the project or reading a key throws. */
export async function startGateway(options: StartGatewayOptions = {}): Promise<Gateway> {
  return (await startGatewayWithKeys(options)).gateway;
}

/** {@link startGateway}, also giving the keys' values so `hush run --gateway` can keep every one of them from the child. Internal. */
export async function startGatewayWithKeys(options: StartGatewayOptions = {}): Promise<{ gateway: Gateway; keys: string[] }> {
  const { openConfiguredManager } = await import("../config/open.js");
  const project = options.project ?? (await openConfiguredManager(options));
  const owned = options.project === undefined;
  try {
    const plans = planRoutes(project.loaded.config.gateway?.routes, options.routes).map((p) => (p.caCert ? { ...p, caCert: resolve(project.loaded.root, p.caCert) } : p));
    for (const name of options.routes ?? []) {
      if (!plans.some((p) => p.name === name)) throw new HushError("INVALID_ARGUMENT", `No gateway route is named "${name.slice(0, 64)}"; \`hush gateway routes\` lists them.`);
    }
    const warn = options.onWarning ?? ((m: string) => process.stderr.write(`hush: warning: ${m}\n`));
    const keyed = await resolveRouteKeys(plans, project.manager, warn, options.routes);
    const routes = new Map<string, ActiveRoute>();
    for (const { plan, key } of keyed) routes.set(plan.name, activateRoute(plan, key));
    const runId = randomUUID();
    const engine = createEngine({
      routes,
      runId,
      environment: project.manager.environment,
      actor: gatewayActor(options.command ?? "hush gateway"),
      revocations: watchRevocations(revocationPath(project.manager.secretsDir)),
      record: project.audit ? (event) => project.audit!.record(event) : undefined,
      auditRequired: project.audit?.mode === "required",
      upstreamTimeoutMs: options.upstreamTimeoutMs ?? 120_000,
      onWarning: warn,
    });
    const listening: Listening | undefined = options.listen === false ? undefined : await listenGateway(engine, options.listen ?? { port: 0 }, { headersTimeoutMs: options.headersTimeoutMs ?? 10_000, requestTimeoutMs: options.requestTimeoutMs ?? 120_000 });
    const envFile = options.envFile === undefined ? undefined : resolve(options.cwd ?? process.cwd(), options.envFile);
    const gateway = gatewayObject({ engine, routes, runId, listening, project, owned, maxCall: options.maxCallResponseBytes ?? 1024 * 1024, envFile });
    if (envFile) await writeEnvFile(envFile, gateway.childEnvironment()).catch(async (e: unknown) => {
      await gateway.close();
      throw e;
    });
    return { gateway, keys: keyed.map((k) => k.key) };
  } catch (e) {
    if (owned) await project.manager.dispose().catch(() => undefined);
    throw e;
  }
}

// --- internal ---

interface Parts {
  engine: ReturnType<typeof createEngine>;
  routes: Map<string, ActiveRoute>;
  runId: string;
  listening: Listening | undefined;
  project: ConfiguredManager;
  owned: boolean;
  maxCall: number;
  envFile: string | undefined;
}

function gatewayObject({ engine, routes, runId, listening, project, owned, maxCall, envFile }: Parts): Gateway {
  let closing: Promise<void> | undefined;
  const baseUrl = (r: ActiveRoute) => (listening?.httpUrl ? `${listening.httpUrl}/${r.plan.name}` : undefined);
  return {
    url: listening?.url,
    runId,
    routes: () => [...routes.values()].map((r) => summarizeRoute(r, baseUrl(r), engine.revoked.has(r.plan.name))),
    childEnvironment() {
      const env: Record<string, string> = {};
      for (const r of routes.values()) {
        // Two routes naming one variable: the first route keeps it (set `keyVariable` to tell them apart).
        for (const v of r.plan.keyVariables) env[v] ??= r.handle;
        const url = baseUrl(r);
        if (url !== undefined) for (const v of r.plan.baseUrlVariables) env[v] ??= url + (r.plan.baseUrlPath ?? "");
      }
      return env;
    },
    clientSettings(route) {
      const r = routes.get(route);
      const url = r && baseUrl(r);
      return r && { handle: r.handle, baseUrl: url === undefined ? undefined : url + (r.plan.baseUrlPath ?? "") };
    },
    call: (request) => callRoute(engine, request, maxCall),
    revoke(route) {
      if (!routes.has(route)) throw new HushError("INVALID_ARGUMENT", `No active gateway route is named "${route.slice(0, 64)}".`);
      engine.revoked.add(route);
    },
    close: () =>
      (closing ??= (async () => {
        await listening?.close();
        if (envFile) rmSync(envFile, { force: true });
        for (const r of routes.values()) r.agent.destroy();
        if (owned) await project.manager.dispose();
      })()),
  };
}

/** The handles and base URLs as dotenv lines (the values are plain tokens and URLs: no quoting needed). */
async function writeEnvFile(path: string, env: Record<string, string>): Promise<void> {
  const lines = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  await writeFileAtomic(path, `# hush gateway: handles for this run only (no keys)\n${lines.join("\n")}\n`, { mode: 0o600 });
}
