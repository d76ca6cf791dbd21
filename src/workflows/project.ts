/**
 * What every project workflow (doctor, check, env-example, scan, audit) takes to find its
 * project: hush.yaml searched upward from `cwd`, the environment and the secrets folder, as
 * `openConfiguredManager` reads them, so the CLI and a program open the same project the same way.
 */
import { openConfiguredManager, type ConfiguredManager, type OpenConfiguredManagerOptions } from "../config/open.js";

/** Where the project is and how to open it; every field is optional (`process.cwd()`, `HUSH_ENV`, ...). */
export type ProjectOptions = Pick<OpenConfiguredManagerOptions, "cwd" | "environment" | "secretsDir" | "env" | "onWarning" | "onDebug" | "loaded" | "actor">;

/** Opens the project's manager, runs `fn` and disposes the manager, whatever `fn` does. */
export async function withProject<T>(options: ProjectOptions, fn: (project: ConfiguredManager) => Promise<T>): Promise<T> {
  const project = await openConfiguredManager(options);
  try {
    return await fn(project);
  } finally {
    await project.manager.dispose();
  }
}
