/**
 * Serialises resolved secrets for `hush export`: dotenv, JSON, POSIX shell or YAML. These print
 * values, which is what the user asked for; the CLI warns when stdout is a terminal.
 *
 * Every format reads back exactly what was exported (tested through the `dotenv` parser, `sh`,
 * `JSON.parse` and the `yaml` package). A value a format cannot carry is refused by name and
 * nothing is exported (INVALID_VALUE), never written altered:
 * - shell: a NUL byte (no shell variable can hold one);
 * - dotenv: a value with `'`, a CR or a line break that also holds `"` or a backslash before
 *   `n`/`r` (no escape for those inside double quotes) and a backtick or a CR (backticks hold
 *   neither, dotenv reads every CR as LF);
 * - dotenv, shell, YAML: an unpaired UTF-16 surrogate (UTF-8 cannot carry it; JSON escapes it).
 */
import { envName } from "../names.js";
import { HushError } from "../errors.js";
import type { SecretRecord } from "../types.js";

export type ExportFormat = "dotenv" | "json" | "shell" | "yaml";

export const EXPORT_FORMATS: ExportFormat[] = ["dotenv", "json", "shell", "yaml"];

/** Formats the records; keys are the env-var form. */
export function formatExport(records: SecretRecord[], format: ExportFormat): string {
  const sorted = [...records].sort((a, b) => envName(a.name).localeCompare(envName(b.name)));
  switch (format) {
    case "json":
      return JSON.stringify(Object.fromEntries(sorted.map((r) => [envName(r.name), r.value])), null, 2) + "\n";
    case "dotenv":
      return sorted.map((r) => `${envName(r.name)}=${dotenvQuote(r.value, r.name)}\n`).join("");
    case "shell":
      return sorted.map((r) => `export ${envName(r.name)}=${shellQuote(r.value, r.name)}\n`).join("");
    case "yaml":
      return sorted.length === 0 ? "{}\n" : sorted.map((r) => `${yamlQuote(envName(r.name), r.name)}: ${yamlQuote(r.value, r.name)}\n`).join("");
    default:
      throw new HushError("INVALID_ARGUMENT", `Unknown export format "${String(format)}"; use one of ${EXPORT_FORMATS.join(", ")}.`);
  }
}

// --- internal ---

function refuse(name: string, format: string, what: string): HushError {
  return new HushError("INVALID_VALUE", `The value of "${name}" ${what}, which the ${format} format cannot carry; nothing was exported. Use --format json, or --only without it.`, { secret: name });
}

function assertUtf8(value: string, name: string, format: string): void {
  if (!(value as unknown as { isWellFormed(): boolean }).isWellFormed()) throw refuse(name, format, "holds an unpaired UTF-16 surrogate");
}

/**
 * dotenv quoting that the `dotenv` parser reads back unchanged. The parser turns every CR into LF
 * before it parses and expands `\n` and `\r` only inside double quotes, so: single quotes when
 * the value has no `'`, CR or LF; else double quotes with `\n` / `\r` escapes when it has no `"`
 * and no backslash before `n` or `r`; else backticks when it has no backtick and no CR.
 */
function dotenvQuote(value: string, name: string): string {
  assertUtf8(value, name, "dotenv");
  if (!/['\r\n]/.test(value)) return `'${value}'`;
  if (!value.includes('"') && !/\\[nr]/.test(value)) return `"${value.replace(/\n/g, "\\n").replace(/\r/g, "\\r")}"`;
  if (!value.includes("`") && !value.includes("\r")) return `\`${value}\``;
  throw refuse(name, "dotenv", "mixes quotes, backticks, backslashes and line breaks in a way a .env file cannot hold");
}

/** POSIX single-quoting: exact for any value without NUL (no shell variable holds a NUL). */
function shellQuote(value: string, name: string): string {
  assertUtf8(value, name, "shell");
  if (value.includes("\0")) throw refuse(name, "shell", "holds a NUL byte");
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * A YAML double-quoted scalar: printable text as it is, everything else escaped (`\n`, `\r`,
 * `\t`, `\0`, `\xNN`, `\uNNNN`), so any value, any line break and any control character reads
 * back exactly, and no key is read as a boolean, null or number.
 */
function yamlQuote(value: string, name: string): string {
  assertUtf8(value, name, "YAML");
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += "\\\\";
    else if (c >= 0x20 && c <= 0x7e) out += value[i];
    else if (c >= 0xd800 && c <= 0xdbff) out += value[i]! + value[++i]!; // a pair (well-formed checked above)
    else if ((c >= 0xa0 && c <= 0xd7ff && c !== 0x2028 && c !== 0x2029) || (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff)) out += value[i];
    else out += YAML_ESCAPES[c] ?? (c <= 0xff ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`);
  }
  return `${out}"`;
}

const YAML_ESCAPES: Record<number, string> = { 0: "\\0", 9: "\\t", 10: "\\n", 13: "\\r" };

function hex(n: number, width: number): string {
  return n.toString(16).toUpperCase().padStart(width, "0");
}
