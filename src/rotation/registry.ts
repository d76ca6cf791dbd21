/**
 * The rotator registry: the rotator types `secrets.NAME.rotator` and `hush rotate --rotator` may
 * name. Built-ins first, then those registered by other packages through
 * {@link registerRotatorType}, in order. Validation of hush.yaml, `hush rotate` and the docs read
 * {@link listRotatorTypes}. Shared between bundles the way src/plugin-registry.ts explains.
 *
 * @example
 * import { registerRotatorType } from "hush-secrets";
 * registerRotatorType(myRotatorType); // hush.yaml: `rotator: { type: my-rotator }`
 */
import { createRegistry, registerPlugin } from "../plugin-registry.js";
import type { OptionsSchema } from "../config/options-schema.js";
import type { RotatorDescriptor } from "./rotator.js";
import { randomRotatorType } from "./random.js";
import { commandRotatorType } from "./command.js";
import { llmKeyRotatorType } from "./llm-key.js";
import { tlsCertificateRotatorType } from "./tls-certificate.js";
import { postgresRoleRotatorType } from "./postgres-role.js";

/** Every rotator type: the built-ins, then the registered ones. */
export function listRotatorTypes(): readonly RotatorDescriptor[] {
  return ROTATOR_TYPES.list();
}

/** The descriptor of `type`, or undefined when no such type is known. */
export function findRotatorType(type: string): RotatorDescriptor | undefined {
  return ROTATOR_TYPES.find(type);
}

/**
 * Registers a rotator type from another package. Refuses (INVALID_ARGUMENT) a malformed
 * descriptor and a type already known. Returns a function that removes it again.
 */
export function registerRotatorType<S extends OptionsSchema>(descriptor: RotatorDescriptor<S>): () => void {
  return registerPlugin(ROTATOR_TYPES, descriptor, { register: "registerRotatorType", hint: "See docs/rotation.md for the shape of a rotator descriptor.", kind: "rotator type", noun: "type", buildersNote: "" });
}

/** "unknown rotator type ...; known types: ..." echoing the type only when it reads as a type name. */
export function describeUnknownRotator(type: unknown): string {
  return ROTATOR_TYPES.describeUnknown(type);
}

// --- internal ---

const ROTATOR_TYPES = createRegistry<RotatorDescriptor>({
  symbol: "hush.rotatorTypes",
  // A function so a later module (other rotators) can join without import cycles.
  builtIns: () => [randomRotatorType, commandRotatorType, llmKeyRotatorType, tlsCertificateRotatorType, postgresRoleRotatorType] as unknown as RotatorDescriptor[],
  unknown: { label: "rotator type", known: "types", name: "type name" },
});
