/**
 * `hush export` as a library call: resolves the names (every name the chain lists by default)
 * and formats them as dotenv, JSON, shell or YAML. The result holds values: that is what it is for.
 * With `output`, the text goes to that file instead, created 0600 and replaced atomically (a shell
 * redirect would create it 0644 and leave a half-written file behind a failure).
 *
 * @example
 * const { text } = await exportSecrets(manager, { format: "json", only: ["openai_api_key"], strict: true });
 */
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { ERROR_CODES, HushError, type HushErrorCode } from "../errors.js";
import { writeFileAtomic } from "../fs/atomic-write.js";
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
  /**
   * Write the text to this file: created 0600 (whatever the umask) and replaced atomically (temp
   * file, fsync, rename). An existing file is replaced, with mode 0600. @default undefined (no file)
   */
  output?: string;
  /** Called for each name that could not be resolved, before a strict export throws. */
  onIssue?: (issue: ResolveIssue) => void;
}

/** The formatted text and the problems met (names, codes and messages; never values). */
export interface ExportResult {
  text: string;
  /** Names exported (canonical). */
  names: string[];
  issues: ResolveIssue[];
  /** The file written, when `output` was given (absolute). */
  path?: string;
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
  const text = formatExport(records, options.format ?? "dotenv");
  const result: ExportResult = { text, names: records.map((r) => r.name), issues };
  if (options.output !== undefined) {
    result.path = resolve(options.output);
    await writePrivateFile(result.path, text);
  }
  return result;
}

// --- internal ---

/** A new 0600 file, atomically; a folder or an unwritable place is WRITE_FAILED (nothing half-written). */
export async function writePrivateFile(path: string, text: string): Promise<void> {
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch (_e) {
    // absent (the normal case) or unreadable: the write below says what failed.
  }
  if (isDir) throw new HushError("INVALID_ARGUMENT", `--output ${path} is a folder; give a file path.`);
  await writeFileAtomic(path, text, { mode: 0o600 });
}

/** The code a strict export fails with: a failure outranks a missing name. */
export function strictExportCode(issues: readonly ResolveIssue[]): HushErrorCode {
  const failure = issues.find((i) => i.code !== "NOT_FOUND");
  if (!failure) return "NOT_FOUND";
  return (ERROR_CODES as readonly string[]).includes(failure.code) ? (failure.code as HushErrorCode) : "INTERNAL";
}
