/**
 * `hush run --gateway`: the gateway runs in this (the parent) process for the child's lifetime;
 * the child gets, for each active route, the handle in the key's variables and the gateway's URL
 * in the base-URL variables, and none of the routes' keys: every variable that would carry one
 * (under any name: the provider's spellings, the secret's own, any other variable holding the
 * same value) is left out. Other secrets are injected as `hush run` does.
 *
 * @example
 * import { runWithGateway } from "hush-secrets";
 * const { exitCode } = await runWithGateway("node", ["agent.js"]);
 */
import type { ConfiguredManager, OpenConfiguredManagerOptions } from "../config/open.js";
import { runWithSecrets, type RunResult, type RunWithSecretsOptions } from "../run/spawn-with-secrets.js";
import { startGatewayWithKeys } from "./start.js";

/** Options of {@link runWithGateway}: those of `runWithSecrets`, plus the project and the routes. */
export interface RunWithGatewayOptions extends Omit<RunWithSecretsOptions, "manager" | "disposeManager" | "transformEnv"> {
  /** The opened project (closed by the call when `disposeProject`). @default the project of `cwd`, opened and closed here */
  project?: ConfiguredManager;
  /** Close `project` when the run ends. @default true when `project` is not given */
  disposeProject?: boolean;
  /** How to open the project when `project` is not given. @default {} */
  projectOptions?: OpenConfiguredManagerOptions;
  /** Only these routes. @default every route whose key is found */
  routes?: string[];
}

/** Runs the command with handles in place of the routes' keys; resolves with the child's exit code. */
export async function runWithGateway(command: string, args: readonly string[] = [], options: RunWithGatewayOptions = {}): Promise<RunResult> {
  const { openConfiguredManager } = await import("../config/open.js");
  const project = options.project ?? (await openConfiguredManager(options.projectOptions ?? {}));
  const dispose = options.disposeProject ?? options.project === undefined;
  const warn = options.onWarning ?? ((m: string) => process.stderr.write(`hush: warning: ${m}\n`));
  try {
    const { gateway, keys } = await startGatewayWithKeys({ project, routes: options.routes, command: "hush run --gateway", onWarning: warn });
    try {
      const handles = gateway.childEnvironment();
      if (gateway.routes().length === 0) warn("--gateway: no route has a key (`hush gateway routes`); the child gets no handles.");
      return await runWithSecrets(command, args, { ...options, manager: project.manager, disposeManager: false, transformEnv: (env) => swapKeysForHandles(env, handles, keys, warn) });
    } finally {
      await gateway.close();
    }
  } finally {
    if (dispose) await project.manager.dispose();
  }
}

/**
 * The child's environment without any variable that carries one of `keys` (equal to it, or
 * containing it), with `handles` set. Names the variables left out, never their values.
 */
export function swapKeysForHandles(env: Record<string, string>, handles: Record<string, string>, keys: readonly string[], warn: (m: string) => void): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  const dropped: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (name in handles) continue;
    if (keys.some((k) => value === k || (k.length >= 8 && value.includes(k)))) dropped.push(name);
    else out[name] = value;
  }
  if (dropped.length > 0) warn(`--gateway: ${dropped.sort().join(", ")} left out of the child's environment: ${dropped.length === 1 ? "it holds" : "they hold"} a key the gateway uses.`);
  return Object.assign(out, handles);
}
