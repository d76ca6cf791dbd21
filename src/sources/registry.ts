/**
 * The source registry: the list of source types hush.yaml may name. The built-in types come
 * first, then those registered by other packages through {@link registerSourceType}, in order.
 * Validation, `buildSources`, `hush doctor`, the table in docs/config.md and the "unknown source
 * type" error all read {@link listSourceTypes}.
 *
 * Shared between bundles: dist/index.js, dist/cli-run.js and dist/run-cli.js each inline their own
 * copy of this module, so the registered types live on `globalThis[Symbol.for("hush.sourceTypes")]`
 * and a package that registers through the public entry is seen by `hush run`. The built-ins are
 * not kept there: each bundle uses its own copies, whose errors are its own `HushError`.
 *
 * @example
 * import { registerSourceType } from "hush-secrets";
 * registerSourceType(memoSourceType); // hush.yaml: `- type: memo`
 */
import { HushError } from "../errors.js";
import { tokenShaped } from "../config/validate-text.js";
import type { OptionsSchema } from "../config/options-schema.js";
import type { SourceDescriptor } from "./descriptor.js";
import { envSourceType } from "./env.js";
import { dotenvSourceType } from "./dotenv.js";
import { localSourceType } from "./local.js";
import { mallkuSourceType } from "./mallku.js";
import { postgresSourceType } from "./postgres.js";

/** Types that later versions add; naming one gets a clearer error than "unknown". */
export const PLANNED_SOURCE_TYPES: readonly string[] = ["vault", "aws", "gcp", "kubernetes"];

/** Every source type hush.yaml may name: the built-ins, then the registered ones. */
export function listSourceTypes(): readonly SourceDescriptor[] {
  return [...BUILT_IN, ...registered()];
}

/** The descriptor of `type`, or undefined when no such type is known. */
export function findSourceType(type: string): SourceDescriptor | undefined {
  return listSourceTypes().find((d) => d.type === type);
}

/**
 * Registers a source type from another package, so hush.yaml can name it. Refuses (INVALID_ARGUMENT)
 * a malformed descriptor and a type already known. Returns a function that removes it again.
 *
 * @example
 * const unregister = registerSourceType({ type: "memo", summary: "...", options: {}, create: () => source });
 */
export function registerSourceType<S extends OptionsSchema>(descriptor: SourceDescriptor<S>): () => void {
  assertDescriptor(descriptor);
  if (findSourceType(descriptor.type)) {
    throw new HushError("INVALID_ARGUMENT", `A source type "${descriptor.type}" is already registered; each type is registered once.`);
  }
  const entry = Object.freeze({ ...descriptor }) as unknown as SourceDescriptor;
  registered().push(entry);
  return () => {
    const list = registered();
    const at = list.indexOf(entry);
    if (at >= 0) list.splice(at, 1);
  };
}

/**
 * "unknown source type ...; known types: ..." echoing the type only when it reads as a type name
 * (lower-case letters, digits and `-`, at most 40, not token-shaped): a mistyped line of hush.yaml
 * may hold a pasted credential, and this is the one place a value of the file would be shown.
 */
export function describeUnknownType(type: unknown): string {
  const known = listSourceTypes()
    .map((d) => d.type)
    .join(", ");
  if (typeof type === "string" && PLANNED_SOURCE_TYPES.includes(type)) {
    return `the ${type} source is not available in this version of hush; known types: ${known}.`;
  }
  const plain = typeof type === "string" && /^[a-z][a-z0-9-]{0,39}$/.test(type) && !tokenShaped(type);
  return `unknown source type ${plain ? `"${type}"` : "(not shown: it does not look like a type name)"}; known types: ${known}.`;
}

// --- internal ---

const BUILT_IN: readonly SourceDescriptor[] = [envSourceType, dotenvSourceType, localSourceType, mallkuSourceType, postgresSourceType] as unknown as SourceDescriptor[];
const KEY = Symbol.for("hush.sourceTypes");

/** The registered (non-built-in) types, shared by every copy of this module in the process. */
function registered(): SourceDescriptor[] {
  const holder = globalThis as { [KEY]?: SourceDescriptor[] };
  return (holder[KEY] ??= []);
}

function assertDescriptor(d: unknown): asserts d is SourceDescriptor {
  const bad = (what: string) => new HushError("INVALID_ARGUMENT", `registerSourceType: ${what}.`, { hint: "See docs/sources.md for the shape of a source descriptor." });
  if (typeof d !== "object" || d === null) throw bad("expected a descriptor object");
  const { type, summary, options, create } = d as Partial<SourceDescriptor>;
  if (typeof type !== "string" || !/^[a-z][a-z0-9-]{0,31}$/.test(type) || tokenShaped(type)) {
    throw bad("`type` must be a word of lower-case letters, digits and '-', starting with a letter, at most 32 characters, not shaped like a token");
  }
  if (typeof summary !== "string" || summary.trim() === "" || /[\r\n]/.test(summary)) throw bad(`the ${type} type needs a one-line \`summary\``);
  if (typeof create !== "function") throw bad(`the ${type} type needs a \`create(options, context)\` function`);
  if (typeof options !== "object" || options === null || Array.isArray(options)) throw bad(`the ${type} type needs an \`options\` schema (use {} for none)`);
  for (const [key, field] of Object.entries(options)) {
    const f = field as Partial<{ check: unknown; description: unknown; docType: unknown }>;
    if (typeof f?.check !== "function" || typeof f.description !== "string" || typeof f.docType !== "string") {
      throw bad(`option ${/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(key) ? `"${key}"` : "(a key)"} of the ${type} type is not built with the option builders (option.string, option.integer, ...)`);
    }
  }
}
