/**
 * `hush check` as a library call: every required secret (hush.yaml `required: true`, and the
 * names of `.env.example`) that nothing in the chain provides. For CI and app start-up.
 *
 * @example
 * const r = await checkRequired({ cwd: "/srv/agent" });
 * if (!r.ok) throw new Error(`missing: ${r.missing.map((m) => m.envName).join(", ")}`);
 */
import { findMissingRequired, type RequiredCheck } from "../config/required.js";
import { withProject, type ProjectOptions } from "./project.js";

/** Options of {@link checkRequired}: the project only. */
export type CheckRequiredOptions = ProjectOptions;

/** What {@link checkRequired} found. `ok`: nothing missing and nothing failed. */
export interface RequiredCheckResult extends RequiredCheck {
  ok: boolean;
  environment: string;
}

/** Resolves every required secret and lists those nothing provides (names only, never values). */
export async function checkRequired(options: CheckRequiredOptions = {}): Promise<RequiredCheckResult> {
  return withProject(options, async ({ manager, loaded }) => {
    const result = await findMissingRequired(manager, loaded);
    return { ok: result.missing.length === 0 && result.errors.length === 0, environment: loaded.environment, ...result };
  });
}
