/**
 * Serialises resolved secrets for `hush export`: dotenv, JSON or POSIX shell. These print
 * values, which is what the user asked for; the CLI warns when stdout is a terminal.
 */
import { envName } from "../names.js";
import { HushError } from "../errors.js";
import type { SecretRecord } from "../types.js";

export type ExportFormat = "dotenv" | "json" | "shell";

export const EXPORT_FORMATS: ExportFormat[] = ["dotenv", "json", "shell"];

/** Formats the records; keys are the env-var form. */
export function formatExport(records: SecretRecord[], format: ExportFormat): string {
  const sorted = [...records].sort((a, b) => envName(a.name).localeCompare(envName(b.name)));
  switch (format) {
    case "json":
      return JSON.stringify(Object.fromEntries(sorted.map((r) => [envName(r.name), r.value])), null, 2) + "\n";
    case "dotenv":
      return sorted.map((r) => `${envName(r.name)}=${dotenvQuote(r.value, r.name)}\n`).join("");
    case "shell":
      return sorted.map((r) => `export ${envName(r.name)}=${shellQuote(r.value)}\n`).join("");
    default:
      throw new HushError("INVALID_ARGUMENT", `Unknown export format "${String(format)}"; use one of ${EXPORT_FORMATS.join(", ")}.`);
  }
}

// --- internal ---

/**
 * dotenv quoting that the `dotenv` parser reads back unchanged: single quotes when the value
 * has no single quote or newline; double quotes with `\n` for newlines otherwise (dotenv
 * expands `\n` only inside double quotes). A value that fits neither is refused by name.
 */
function dotenvQuote(value: string, name: string): string {
  if (!value.includes("'") && !value.includes("\n") && !value.includes("\r")) return `'${value}'`;
  if (!value.includes('"') && !value.includes("\r") && !/\\n/.test(value)) return `"${value.replace(/\n/g, "\\n")}"`;
  if (!value.includes("`")) return `\`${value}\``;
  throw new HushError("INVALID_VALUE", `The value of "${name}" mixes quotes, backticks and line breaks in a way a .env file cannot hold; use --format json or shell.`, { secret: name });
}

/** POSIX single-quoting: safe for any string without NUL. */
function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
