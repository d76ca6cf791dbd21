/**
 * The rotator registry: the rotator types `secrets.NAME.rotator` and `hush rotate --rotator` may
 * name. Built-ins first, then those registered by other packages through
 * {@link registerRotatorType}, in order. Validation of hush.yaml, `hush rotate` and the docs read
 * {@link listRotatorTypes}. Shared between bundles the way src/sources/registry.ts explains.
 *
 * @example
 * import { registerRotatorType } from "hush-secrets";
 * registerRotatorType(myRotatorType); // hush.yaml: `rotator: { type: my-rotator }`
 */
import { HushError } from "../errors.js";
import { tokenShaped } from "../config/validate-text.js";
import type { OptionsSchema } from "../config/options-schema.js";
import type { RotatorDescriptor } from "./rotator.js";
import { randomRotatorType } from "./random.js";
import { commandRotatorType } from "./command.js";
import { llmKeyRotatorType } from "./llm-key.js";
import { tlsCertificateRotatorType } from "./tls-certificate.js";
import { postgresRoleRotatorType } from "./postgres-role.js";

/** Every rotator type: the built-ins, then the registered ones. */
export function listRotatorTypes(): readonly RotatorDescriptor[] {
  return [...builtIn(), ...registered()];
}

/** The descriptor of `type`, or undefined when no such type is known. */
export function findRotatorType(type: string): RotatorDescriptor | undefined {
  return listRotatorTypes().find((d) => d.type === type);
}

/**
 * Registers a rotator type from another package. Refuses (INVALID_ARGUMENT) a malformed
 * descriptor and a type already known. Returns a function that removes it again.
 */
export function registerRotatorType<S extends OptionsSchema>(descriptor: RotatorDescriptor<S>): () => void {
  assertDescriptor(descriptor);
  if (findRotatorType(descriptor.type)) {
    throw new HushError("INVALID_ARGUMENT", `A rotator type "${descriptor.type}" is already registered; each type is registered once.`);
  }
  const entry = Object.freeze({ ...descriptor }) as unknown as RotatorDescriptor;
  registered().push(entry);
  return () => {
    const list = registered();
    const at = list.indexOf(entry);
    if (at >= 0) list.splice(at, 1);
  };
}

/** "unknown rotator type ...; known types: ..." echoing the type only when it reads as a type name. */
export function describeUnknownRotator(type: unknown): string {
  const known = listRotatorTypes()
    .map((d) => d.type)
    .join(", ");
  const plain = typeof type === "string" && /^[a-z][a-z0-9-]{0,39}$/.test(type) && !tokenShaped(type);
  return `unknown rotator type ${plain ? `"${type}"` : "(not shown: it does not look like a type name)"}; known types: ${known}.`;
}

// --- internal ---

const KEY = Symbol.for("hush.rotatorTypes");

/** The built-in rotators; a function so a later module (other rotators) can join without import cycles. */
function builtIn(): readonly RotatorDescriptor[] {
  return [randomRotatorType, commandRotatorType, llmKeyRotatorType, tlsCertificateRotatorType, postgresRoleRotatorType] as unknown as RotatorDescriptor[];
}

function registered(): RotatorDescriptor[] {
  const holder = globalThis as { [KEY]?: RotatorDescriptor[] };
  return (holder[KEY] ??= []);
}

function assertDescriptor(d: unknown): asserts d is RotatorDescriptor {
  const bad = (what: string) => new HushError("INVALID_ARGUMENT", `registerRotatorType: ${what}.`, { hint: "See docs/rotation.md for the shape of a rotator descriptor." });
  if (typeof d !== "object" || d === null) throw bad("expected a descriptor object");
  const { type, summary, options, create } = d as Partial<RotatorDescriptor>;
  if (typeof type !== "string" || !/^[a-z][a-z0-9-]{0,31}$/.test(type) || tokenShaped(type)) {
    throw bad("`type` must be a word of lower-case letters, digits and '-', starting with a letter, at most 32 characters, not shaped like a token");
  }
  if (typeof summary !== "string" || summary.trim() === "" || /[\r\n]/.test(summary)) throw bad(`the ${type} type needs a one-line \`summary\``);
  if (typeof create !== "function") throw bad(`the ${type} type needs a \`create(options, context)\` function`);
  if (typeof options !== "object" || options === null || Array.isArray(options)) throw bad(`the ${type} type needs an \`options\` schema (use {} for none)`);
  for (const [key, field] of Object.entries(options)) {
    const f = field as Partial<{ check: unknown; description: unknown; docType: unknown }>;
    if (typeof f?.check !== "function" || typeof f.description !== "string" || typeof f.docType !== "string") {
      throw bad(`option ${/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(key) ? `"${key}"` : "(a key)"} of the ${type} type is not built with the option builders`);
    }
  }
}
