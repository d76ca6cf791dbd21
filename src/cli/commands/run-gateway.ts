/**
 * `hush run --gateway`: the run goes through `runWithGateway` (the gateway in this process, the
 * child with handles in place of the routes' keys). Loaded only when --gateway is given.
 */
import { runWithGateway, type ConfiguredManager, type RunResult, type RunWithSecretsOptions } from "../../index.js";

/** Runs the child with the gateway, on the opened project (closed at the end). */
export function gatewayRunner(project: ConfiguredManager): (command: string, args: string[], options: RunWithSecretsOptions) => Promise<RunResult> {
  return (command, args, options) => runWithGateway(command, args, { ...options, project, disposeProject: true });
}
