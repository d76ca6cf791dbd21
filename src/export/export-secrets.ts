/**
 * `hush export` as a library call: resolves the names (every name the chain lists by default)
 * and formats them as dotenv, JSON or shell. The result holds values: that is what it is for.
 *
 * @example
 * const { text } = await exportSecrets(manager, { format: "json", only: ["openai_api_key"], strict: true });
 */
import { ERROR_CODES, HushError, type HushErrorCode } from "../errors.js";
import type { SecretsManager } from "../manager.js";
import type { ResolveIssue } from "../types.js";
import { formatExport, type ExportFormat } from "./format.js";

/** Options of {@link exportSecrets}. */
export interface ExportSecretsOptions {
  /** @default "dotenv" */
  format?: ExportFormat;
  /** Names to export. @default every name the chain lists */
  only?: string[];
  /** Throw (exporting nothing) when any name cannot be resolved. @default false */
  strict?: boolean;
  /** Called for each name that could not be resolved, before a strict export throws. */
  onIssue?: (issue: ResolveIssue) => void;
}

/** The formatted text and the problems met (names, codes and messages; never values). */
export interface ExportResult {
  text: string;
  /** Names exported (canonical). */
  names: string[];
  issues: ResolveIssue[];
}

/**
 * Resolves and formats. With `strict`, any issue throws a HushError whose code is the issues'
 * own: NOT_FOUND when every issue is a missing name, else the first other failure's code (a
 * corrupt store is STORE_CORRUPT, never "source unavailable").
 */
export async function exportSecrets(manager: SecretsManager, options: ExportSecretsOptions = {}): Promise<ExportResult> {
  const { secrets, issues } = await manager.resolve(options.only);
  for (const issue of issues) options.onIssue?.(issue);
  if (options.strict && issues.length > 0) throw new HushError(strictExportCode(issues), `${issues.length} secret(s) could not be resolved; nothing exported.`);
  const records = Object.values(secrets);
  return { text: formatExport(records, options.format ?? "dotenv"), names: records.map((r) => r.name), issues };
}

// --- internal ---

/** The code a strict export fails with: a failure outranks a missing name. */
function strictExportCode(issues: readonly ResolveIssue[]): HushErrorCode {
  const failure = issues.find((i) => i.code !== "NOT_FOUND");
  if (!failure) return "NOT_FOUND";
  return (ERROR_CODES as readonly string[]).includes(failure.code) ? (failure.code as HushErrorCode) : "INTERNAL";
}
