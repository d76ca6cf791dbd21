/**
 * The key-provider registry: the provider types hush.yaml's `keys:` may name. The built-in types
 * come first, then those registered by other packages through {@link registerKeyProviderType}, in
 * order. Validation of `keys:`, `hush doctor`, docs/keys.md's table and the "unknown key provider"
 * error all read {@link listKeyProviderTypes}. It mirrors src/sources/registry.ts.
 *
 * Shared between bundles: dist/index.js, dist/cli-run.js and dist/run-cli.js each inline their own
 * copy of this module, so the registered types live on `globalThis[Symbol.for("hush.keyProviderTypes")]`
 * and a package that registers through the public entry is seen by `hush run`.
 *
 * @example
 * import { registerKeyProviderType } from "hush-secrets";
 * registerKeyProviderType(hsmKeyProviderType); // hush.yaml: `keys: { prod: { provider: hsm } }`
 */
import { HushError } from "../errors.js";
import { tokenShaped } from "../config/validate-text.js";
import type { OptionsSchema } from "../config/options-schema.js";
import type { KeyProviderDescriptor } from "./provider.js";
import { fileKeyProviderType } from "./file.js";
import { userKeyProviderType } from "./user.js";
import { envKeyProviderType } from "./env.js";
import { vaultTransitKeyProviderType } from "./vault-transit.js";

/** Provider types that other parts of hush add; naming one gets a clearer error than "unknown". */
export const PLANNED_KEY_PROVIDER_TYPES: readonly string[] = ["passphrase", "aws-kms", "gcp-kms"];

/** Every key provider type hush.yaml may name: the built-ins, then the registered ones. */
export function listKeyProviderTypes(): readonly KeyProviderDescriptor[] {
  return [...BUILT_IN, ...registered()];
}

/** The descriptor of `type`, or undefined when no such type is known. */
export function findKeyProviderType(type: string): KeyProviderDescriptor | undefined {
  return listKeyProviderTypes().find((d) => d.type === type);
}

/**
 * Registers a key provider type from another package, so hush.yaml can name it. Refuses
 * (INVALID_ARGUMENT) a malformed descriptor and a type already known. Returns a function that
 * removes it again.
 *
 * @example
 * const unregister = registerKeyProviderType({ type: "hsm", summary: "...", options: {}, create: () => provider });
 */
export function registerKeyProviderType<S extends OptionsSchema>(descriptor: KeyProviderDescriptor<S>): () => void {
  assertDescriptor(descriptor);
  if (findKeyProviderType(descriptor.type)) {
    throw new HushError("INVALID_ARGUMENT", `A key provider type "${descriptor.type}" is already registered; each type is registered once.`);
  }
  const entry = Object.freeze({ ...descriptor }) as unknown as KeyProviderDescriptor;
  registered().push(entry);
  return () => {
    const list = registered();
    const at = list.indexOf(entry);
    if (at >= 0) list.splice(at, 1);
  };
}

/**
 * "unknown key provider ...; known providers: ..." echoing the type only when it reads as a type
 * name: a mistyped line of hush.yaml may hold a pasted key, and this is where it would be shown.
 */
export function describeUnknownKeyProvider(type: unknown): string {
  const known = listKeyProviderTypes()
    .map((d) => d.type)
    .join(", ");
  if (typeof type === "string" && PLANNED_KEY_PROVIDER_TYPES.includes(type)) {
    return `the ${type} key provider is not available in this build of hush; known providers: ${known}.`;
  }
  const plain = typeof type === "string" && /^[a-z][a-z0-9-]{0,39}$/.test(type) && !tokenShaped(type);
  return `unknown key provider ${plain ? `"${type}"` : "(not shown: it does not look like a provider name)"}; known providers: ${known}.`;
}

// --- internal ---

const BUILT_IN: readonly KeyProviderDescriptor[] = [fileKeyProviderType, userKeyProviderType, envKeyProviderType, vaultTransitKeyProviderType] as unknown as KeyProviderDescriptor[];
const KEY = Symbol.for("hush.keyProviderTypes");

/** The registered (non-built-in) types, shared by every copy of this module in the process. */
function registered(): KeyProviderDescriptor[] {
  const holder = globalThis as { [KEY]?: KeyProviderDescriptor[] };
  return (holder[KEY] ??= []);
}

function assertDescriptor(d: unknown): asserts d is KeyProviderDescriptor {
  const bad = (what: string) => new HushError("INVALID_ARGUMENT", `registerKeyProviderType: ${what}.`, { hint: "See docs/keys.md for the shape of a key provider descriptor." });
  if (typeof d !== "object" || d === null) throw bad("expected a descriptor object");
  const { type, summary, options, create } = d as Partial<KeyProviderDescriptor>;
  if (typeof type !== "string" || !/^[a-z][a-z0-9-]{0,31}$/.test(type) || tokenShaped(type)) {
    throw bad("`type` must be a word of lower-case letters, digits and '-', starting with a letter, at most 32 characters, not shaped like a token");
  }
  if (typeof summary !== "string" || summary.trim() === "" || /[\r\n]/.test(summary)) throw bad(`the ${type} provider needs a one-line \`summary\``);
  if (typeof create !== "function") throw bad(`the ${type} provider needs a \`create(options, context)\` function`);
  if (typeof options !== "object" || options === null || Array.isArray(options)) throw bad(`the ${type} provider needs an \`options\` schema (use {} for none)`);
  for (const [key, field] of Object.entries(options)) {
    const f = field as Partial<{ check: unknown; description: unknown; docType: unknown }>;
    if (typeof f?.check !== "function" || typeof f.description !== "string" || typeof f.docType !== "string") {
      throw bad(`option ${/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(key) ? `"${key}"` : "(a key)"} of the ${type} provider is not built with the option builders (option.string, option.integer, ...)`);
    }
  }
}
