/**
 * Builds the chain that hush.yaml's `sources:` describes: each entry's type is looked up in the
 * source registry (src/sources/registry.ts), its options are parsed against the type's schema
 * (defaults filled in) and its factory is called with the project context.
 *
 * To add a source type: see docs/sources.md (one source file exporting a descriptor, listed in
 * the registry, and one test file running the conformance suite).
 */
import { HushError } from "../errors.js";
import type { SecretSource } from "../types.js";
import { parseOptions } from "./options-schema.js";
import { describeUnknownType, findSourceType } from "../sources/registry.js";
import { sourceFolder as folderFor, type SourceContext } from "../sources/descriptor.js";
import type { SourceConfig } from "./types.js";
import { configInvalid, formatPath } from "./validate.js";

/** What every factory gets besides its options (the project context). */
export type BuildSourcesOptions = SourceContext;

/**
 * Builds the chain from validated `sources:` entries, in order.
 * Throws CONFIG_INVALID for a type no one registered, or options its schema refuses.
 */
export async function buildSources(entries: readonly SourceConfig[], options: BuildSourcesOptions): Promise<SecretSource[]> {
  const chain: SecretSource[] = [];
  for (const [i, entry] of entries.entries()) {
    const type = findSourceType(entry.type);
    if (!type) throw new HushError("CONFIG_INVALID", `sources[${i}].type: ${describeUnknownType(entry.type)}`);
    const problems: { path: string; message: string }[] = [];
    const parsed = parseOptions(type.options, entry.options, ["sources", i, "options"], (path, message) => problems.push({ path: formatPath(path), message }));
    if (problems.length > 0) throw configInvalid(problems, "hush.yaml");
    chain.push(await type.create(parsed, options));
  }
  return chain;
}

/** The folder a `local` or `mallku` entry uses. */
export function sourceFolder(entry: SourceConfig, options: Pick<BuildSourcesOptions, "root" | "secretsDir" | "secretsDirExplicit">): string {
  return folderFor(typeof entry.options.dir === "string" ? entry.options.dir : undefined, options);
}
