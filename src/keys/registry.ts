/**
 * The key-provider registry: the provider types hush.yaml's `keys:` may name. The built-in types
 * come first, then those registered by other packages through {@link registerKeyProviderType}, in
 * order. Validation of `keys:`, `hush doctor`, docs/keys.md's table and the "unknown key provider"
 * error all read {@link listKeyProviderTypes}. Its shape is src/plugin-registry.ts's, shared with
 * the source and rotator registries; the registered types live on
 * `globalThis[Symbol.for("hush.keyProviderTypes")]`, so a package that registers through the public
 * entry is seen by `hush run`.
 *
 * @example
 * import { registerKeyProviderType } from "hush-secrets";
 * registerKeyProviderType(hsmKeyProviderType); // hush.yaml: `keys: { prod: { provider: hsm } }`
 */
import { createRegistry, registerPlugin } from "../plugin-registry.js";
import type { OptionsSchema } from "../config/options-schema.js";
import type { KeyProviderDescriptor } from "./provider.js";
import { fileKeyProviderType } from "./file.js";
import { userKeyProviderType } from "./user.js";
import { envKeyProviderType } from "./env.js";
import { passphraseKeyProviderType } from "./passphrase.js";
import { teamKeyProviderType } from "./team.js";
import { vaultTransitKeyProviderType } from "./vault-transit.js";
import { awsKmsKeyProviderType } from "./aws-kms.js";
import { gcpKmsKeyProviderType } from "./gcp-kms.js";

/** Provider types that other parts of hush add; naming one gets a clearer error than "unknown". */
export const PLANNED_KEY_PROVIDER_TYPES: readonly string[] = [];

/** Every key provider type hush.yaml may name: the built-ins, then the registered ones. */
export function listKeyProviderTypes(): readonly KeyProviderDescriptor[] {
  return KEY_PROVIDER_TYPES.list();
}

/** The descriptor of `type`, or undefined when no such type is known. */
export function findKeyProviderType(type: string): KeyProviderDescriptor | undefined {
  return KEY_PROVIDER_TYPES.find(type);
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
  return registerPlugin(KEY_PROVIDER_TYPES, descriptor, { register: "registerKeyProviderType", hint: "See docs/keys.md for the shape of a key provider descriptor.", kind: "key provider type", noun: "provider", buildersNote: " (option.string, option.integer, ...)" });
}

/**
 * "unknown key provider ...; known providers: ..." echoing the type only when it reads as a type
 * name: a mistyped line of hush.yaml may hold a pasted key, and this is where it would be shown.
 */
export function describeUnknownKeyProvider(type: unknown): string {
  return KEY_PROVIDER_TYPES.describeUnknown(type);
}

// --- internal ---

const BUILT_IN: readonly KeyProviderDescriptor[] = [fileKeyProviderType, userKeyProviderType, envKeyProviderType, passphraseKeyProviderType, teamKeyProviderType, vaultTransitKeyProviderType, awsKmsKeyProviderType, gcpKmsKeyProviderType] as unknown as KeyProviderDescriptor[];

const KEY_PROVIDER_TYPES = createRegistry<KeyProviderDescriptor>({
  symbol: "hush.keyProviderTypes",
  builtIns: () => BUILT_IN,
  unknown: { label: "key provider", known: "providers", name: "provider name" },
  planned: { types: PLANNED_KEY_PROVIDER_TYPES, message: (type, known) => `the ${type} key provider is not available in this build of hush; known providers: ${known}.` },
});
