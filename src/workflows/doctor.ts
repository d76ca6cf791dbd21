/**
 * `hush doctor` as a library call: loads hush.yaml without throwing (an invalid file becomes
 * the report's problems), opens the chain it describes and runs every check.
 *
 * @example
 * const report = await diagnoseProject({ cwd: process.cwd() });
 * for (const p of report.problems) console.error(p.message, "fix:", p.fix);
 */
import { diagnose, diagnoseConfig, type DoctorReport } from "../config/doctor.js";
import { withProject, type ProjectOptions } from "./project.js";

/** Options of {@link diagnoseProject}: the project only. */
export type DiagnoseProjectOptions = ProjectOptions;

/** Every check of `hush doctor`; `ok` is false when anything was found. Never holds a value. */
export async function diagnoseProject(options: DiagnoseProjectOptions = {}): Promise<DoctorReport> {
  const { loaded, report: config } = await diagnoseConfig({ cwd: options.cwd, environment: options.environment, env: options.env });
  if (!loaded) return { ok: false, config, sources: [], permissions: [], collisions: [], required: { declared: 0, missing: [] }, providers: [], keys: [], problems: [] };
  return withProject({ ...options, loaded }, ({ manager }) => diagnose(manager, loaded, config, options.env));
}
