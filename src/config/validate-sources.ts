/**
 * `sources:` of hush.yaml: a list of `{ type, options }`, each type known to the source registry
 * and its options checked against that type's schema (src/config/options-schema.ts). Problems
 * carry paths such as `sources[2].options.address` and never a value from the file.
 */
import { describeUnknownType, findSourceType, listSourceTypes } from "../sources/registry.js";
import { isMapping, kindOf, parseOptions, type AddProblem } from "./options-schema.js";
import { checkKeys, credentialMessage, hasUrlPassword, looksLikeCredential } from "./validate-text.js";
import type { SourceConfig } from "./types.js";

const SOURCE_KEYS = ["type", "options"];

/** Checks `sources:`; returns the entries with their options as written (defaults are filled in when the chain is built). */
export function checkSources(raw: unknown, add: AddProblem): SourceConfig[] | undefined {
  if (!Array.isArray(raw)) {
    add(["sources"], `expected a list of sources (\`- type: env\`), got ${kindOf(raw)}.`);
    return undefined;
  }
  if (raw.length === 0) add(["sources"], "the list is empty; remove `sources:` to use the default chain (env, dotenv, local).");
  const seen = new Map<string, number>();
  const out: SourceConfig[] = [];
  raw.forEach((entry: unknown, i) => {
    const at = ["sources", i];
    if (!isMapping(entry)) {
      add(at, `expected a mapping with \`type:\`, got ${kindOf(entry)}.`);
      return;
    }
    checkKeys(entry, at, SOURCE_KEYS, add);
    const type = checkType(entry.type, i, seen, add);
    let options: Record<string, unknown> = {};
    if (entry.options !== undefined && entry.options !== null) {
      if (!isMapping(entry.options)) add([...at, "options"], `expected a mapping, got ${kindOf(entry.options)}.`);
      else options = entry.options;
    }
    const descriptor = typeof type === "string" ? findSourceType(type) : undefined;
    if (descriptor) parseOptions(descriptor.options, options, [...at, "options"], add);
    else checkUnknownOptions(options, [...at, "options"], add);
    if (typeof type === "string") out.push({ type, options });
  });
  return out;
}

// --- internal ---

/** Checks `sources[i].type`; returns it when it is a string (known or not). */
function checkType(type: unknown, i: number, seen: Map<string, number>, add: AddProblem): string | undefined {
  const at = ["sources", i, "type"];
  if (type === undefined) {
    add(at, `missing; one of ${listSourceTypes().map((d) => d.type).join(", ")}.`);
    return undefined;
  }
  if (typeof type !== "string") {
    add(at, `expected a source type name, got ${kindOf(type)}.`);
    return undefined;
  }
  if (!findSourceType(type)) add(at, describeUnknownType(type));
  else if (seen.has(type)) add(at, `a second \`${type}\` source (the first is sources[${seen.get(type)}]); configure one entry per type.`);
  if (!seen.has(type)) seen.set(type, i);
  return type;
}

/** Options of a type no one knows: only credentials are reported (the type's own problem is said once). */
function checkUnknownOptions(options: Record<string, unknown>, at: readonly (string | number)[], add: AddProblem): void {
  for (const [key, value] of Object.entries(options)) {
    if (looksLikeCredential(key, value)) add([...at, key], credentialMessage());
    if (typeof value === "string" && hasUrlPassword(value)) add([...at, key], "holds a URL with a password; " + credentialMessage());
  }
}
