/**
 * The source-type tables of docs/config.md, made from the registry so the docs cannot drift from
 * what validation accepts. test/config/source-docs.test.ts checks that the file holds exactly this
 * text between its markers (`HUSH_UPDATE_DOCS=1 npx vitest run test/config/source-docs.test.ts`
 * rewrites it).
 */
import type { OptionField, OptionsSchema } from "../config/options-schema.js";
import type { SourceDescriptor } from "./descriptor.js";
import { listSourceTypes } from "./registry.js";

/** Markdown: one table of the types with their summaries, one of every option of every type. */
export function formatSourceTypesTable(types: readonly SourceDescriptor[] = listSourceTypes()): string {
  const lines = ["| type | what it reads |", "| --- | --- |"];
  for (const d of types) lines.push(`| \`${d.type}\` | ${cell(d.summary)} |`);
  lines.push("", "| type | option | accepts | default | |", "| --- | --- | --- | --- | --- |");
  for (const d of types) for (const row of optionRows(d.options, "")) lines.push(`| \`${d.type}\` | ${row} |`);
  return lines.join("\n");
}

// --- internal ---

function optionRows(schema: OptionsSchema, prefix: string): string[] {
  const rows: string[] = [];
  for (const [key, field] of Object.entries(schema)) {
    rows.push(`\`${prefix}${key}\` | ${field.docType} | ${defaultText(field)} | ${cell(field.description)}`);
    if (field.fields) rows.push(...optionRows(field.fields, `${prefix}${key}.`));
  }
  return rows;
}

function defaultText(field: OptionField<unknown>): string {
  if (field.docDefault !== undefined) return `\`${field.docDefault}\``;
  if (field.default === undefined) return "—";
  return `\`${Array.isArray(field.default) ? `[${field.default.join(", ")}]` : String(field.default)}\``;
}

function cell(text: string): string {
  return text.replace(/(?<!\\)\|/g, "\\|");
}
