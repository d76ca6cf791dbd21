/**
 * The source registry: the list of source types hush.yaml may name. The built-in types come
 * first, then those registered by other packages through {@link registerSourceType}, in order.
 * Validation, `buildSources`, `hush doctor`, the table in docs/config.md and the "unknown source
 * type" error all read {@link listSourceTypes}.
 *
 * Shared between bundles: the registered types live on `globalThis[Symbol.for("hush.sourceTypes")]`,
 * so a package that registers through the public entry is seen by `hush run` (src/plugin-registry.ts,
 * the shape the three registries share, explains).
 *
 * @example
 * import { registerSourceType } from "hush-secrets";
 * registerSourceType(memoSourceType); // hush.yaml: `- type: memo`
 */
import { createRegistry, registerPlugin } from "../plugin-registry.js";
import type { OptionsSchema } from "../config/options-schema.js";
import type { SourceDescriptor } from "./descriptor.js";
import { envSourceType } from "./env.js";
import { dotenvSourceType } from "./dotenv.js";
import { localSourceType } from "./local.js";
import { mallkuSourceType } from "./mallku.js";
import { postgresSourceType } from "./postgres.js";
import { vaultSourceType } from "./vault.js";
import { awsSourceType } from "./aws.js";
import { gcpSourceType } from "./gcp.js";
import { kubernetesSourceType } from "./kubernetes.js";

/** Types that later versions add; naming one gets a clearer error than "unknown". */
export const PLANNED_SOURCE_TYPES: readonly string[] = [];

/** Every source type hush.yaml may name: the built-ins, then the registered ones. */
export function listSourceTypes(): readonly SourceDescriptor[] {
  return SOURCE_TYPES.list();
}

/** The descriptor of `type`, or undefined when no such type is known. */
export function findSourceType(type: string): SourceDescriptor | undefined {
  return SOURCE_TYPES.find(type);
}

/**
 * Registers a source type from another package, so hush.yaml can name it. Refuses (INVALID_ARGUMENT)
 * a malformed descriptor and a type already known. Returns a function that removes it again.
 *
 * @example
 * const unregister = registerSourceType({ type: "memo", summary: "...", options: {}, create: () => source });
 */
export function registerSourceType<S extends OptionsSchema>(descriptor: SourceDescriptor<S>): () => void {
  return registerPlugin(SOURCE_TYPES, descriptor, { register: "registerSourceType", hint: "See docs/sources.md for the shape of a source descriptor.", kind: "source type", noun: "type", buildersNote: " (option.string, option.integer, ...)" });
}

/**
 * "unknown source type ...; known types: ..." echoing the type only when it reads as a type name
 * (lower-case letters, digits and `-`, at most 40, not token-shaped): a mistyped line of hush.yaml
 * may hold a pasted credential, and this is the one place a value of the file would be shown.
 */
export function describeUnknownType(type: unknown): string {
  return SOURCE_TYPES.describeUnknown(type);
}

// --- internal ---

const BUILT_IN: readonly SourceDescriptor[] = [envSourceType, dotenvSourceType, localSourceType, mallkuSourceType, postgresSourceType, vaultSourceType, awsSourceType, gcpSourceType, kubernetesSourceType] as unknown as SourceDescriptor[];

const SOURCE_TYPES = createRegistry<SourceDescriptor>({
  symbol: "hush.sourceTypes",
  builtIns: () => BUILT_IN,
  unknown: { label: "source type", known: "types", name: "type name" },
  planned: { types: PLANNED_SOURCE_TYPES, message: (type, known) => `the ${type} source is not available in this version of hush; known types: ${known}.` },
});
