/**
 * The shape shared by hush's three plug-in registries (src/sources/registry.ts,
 * src/keys/registry.ts, src/rotation/registry.ts): the built-in descriptors first, then those
 * other packages register, in order; a malformed descriptor or a type already known is refused
 * (INVALID_ARGUMENT); the "unknown ..." message echoes a type only when it reads as a type name.
 *
 * Each bundle (dist/index.js, dist/cli-run.js, dist/run-cli.js) inlines its own copy of a registry,
 * so the registered descriptors live on `globalThis[Symbol.for(symbol)]`: a package that registers
 * through the public entry is seen by `hush run`. The built-ins are not kept there: each bundle
 * uses its own copies, whose errors are its own `HushError`. Internal: never re-exported.
 *
 * @example
 * const rotators = createRegistry<RotatorDescriptor>({ symbol: "hush.rotatorTypes", builtIns: () => [...], unknown: {...} });
 * rotators.find("random");
 * registerPlugin(rotators, descriptor, { register: "registerRotatorType", hint: "...", kind: "rotator type", ... });
 */
import { HushError } from "./errors.js";
import { tokenShaped } from "./config/validate-text.js";

/** What a registry needs of a descriptor; the rest (summary, options, create) its check verifies. */
export interface PluginDescriptor {
  readonly type: string;
}

/** The parts of one registry, and the words of its "unknown ..." message. */
export interface RegistrySpec<T extends PluginDescriptor> {
  /** The global symbol's key (`Symbol.for`) holding the registered descriptors: "hush.sourceTypes". */
  symbol: string;
  /** The built-ins, listed first; a function so a module can join without import cycles. */
  builtIns: () => readonly T[];
  /** The "unknown ..." message's words: label "source type", known "types", name "type name". */
  unknown: { label: string; known: string; name: string };
  /** Types later versions add, and the clearer message naming one gets (`known` lists the known types). */
  planned?: { types: readonly string[]; message: (type: string, known: string) => string };
}

/** One registry: list, find, the "unknown type" message; {@link registerPlugin} adds to it. */
export interface PluginRegistry<T extends PluginDescriptor> {
  /** The built-ins, then the registered ones. */
  list(): readonly T[];
  /** The descriptor of `type`, or undefined when no such type is known. */
  find(type: string): T | undefined;
  /** "unknown <label> ...; known <known>: ..." echoing the type only when it reads as a type name. */
  describeUnknown(type: unknown): string;
  /** Adds a checked descriptor (only {@link registerPlugin} calls it); returns its removal. */
  add(entry: T): () => void;
}

/** The words of a registry's refusals (each a HushError INVALID_ARGUMENT). */
export interface RegisterWords {
  /** The registering function, which starts each refusal of a malformed descriptor: "registerSourceType". */
  register: string;
  /** The refusals' hint: "See docs/sources.md for the shape of a source descriptor." */
  hint: string;
  /** What the duplicate refusal calls one: "source type" -> `A source type "x" is already registered; ...`. */
  kind: string;
  /** What a malformed descriptor's refusal calls one: "type" -> "the memo type needs ...". */
  noun: string;
  /** Said after "not built with the option builders": " (option.string, option.integer, ...)" or "". */
  buildersNote: string;
}

/** Makes a registry of the shape above from its built-ins and wording. */
export function createRegistry<T extends PluginDescriptor>(spec: RegistrySpec<T>): PluginRegistry<T> {
  const key = Symbol.for(spec.symbol);
  const registered = (): T[] => ((globalThis as { [key]?: T[] })[key] ??= []);
  const list = (): readonly T[] => [...spec.builtIns(), ...registered()];
  return {
    list,
    find: (type) => list().find((d) => d.type === type),
    describeUnknown(type) {
      const known = list()
        .map((d) => d.type)
        .join(", ");
      if (typeof type === "string" && spec.planned?.types.includes(type)) return spec.planned.message(type, known);
      const { label, known: knownWord, name } = spec.unknown;
      // A mistyped line of hush.yaml may hold a pasted credential: shown only when it reads as a name.
      const plain = typeof type === "string" && /^[a-z][a-z0-9-]{0,39}$/.test(type) && !tokenShaped(type);
      return `unknown ${label} ${plain ? `"${type}"` : `(not shown: it does not look like a ${name})`}; known ${knownWord}: ${known}.`;
    },
    add(entry) {
      registered().push(entry);
      return () => {
        const all = registered();
        const at = all.indexOf(entry);
        if (at >= 0) all.splice(at, 1);
      };
    },
  };
}

/**
 * Registers a descriptor from another package: refuses a malformed one and a type already known,
 * keeps a frozen copy, returns a function that removes it again. A function of its own, not a
 * method, so a bundle that never registers (dist/cli-run.js) leaves it and its checks out.
 */
export function registerPlugin<T extends PluginDescriptor>(registry: PluginRegistry<T>, descriptor: unknown, words: RegisterWords): () => void {
  assertDescriptor<T>(words, descriptor);
  if (registry.find(descriptor.type)) {
    throw new HushError("INVALID_ARGUMENT", `A ${words.kind} "${descriptor.type}" is already registered; each type is registered once.`);
  }
  return registry.add(Object.freeze({ ...descriptor }) as T);
}

// --- internal ---

function assertDescriptor<T extends PluginDescriptor>(spec: RegisterWords, d: unknown): asserts d is T {
  const bad = (what: string) => new HushError("INVALID_ARGUMENT", `${spec.register}: ${what}.`, { hint: spec.hint });
  if (typeof d !== "object" || d === null) throw bad("expected a descriptor object");
  const { type, summary, options, create } = d as Partial<{ type: unknown; summary: unknown; options: unknown; create: unknown }>;
  if (typeof type !== "string" || !/^[a-z][a-z0-9-]{0,31}$/.test(type) || tokenShaped(type)) {
    throw bad("`type` must be a word of lower-case letters, digits and '-', starting with a letter, at most 32 characters, not shaped like a token");
  }
  const noun = spec.noun;
  if (typeof summary !== "string" || summary.trim() === "" || /[\r\n]/.test(summary)) throw bad(`the ${type} ${noun} needs a one-line \`summary\``);
  if (typeof create !== "function") throw bad(`the ${type} ${noun} needs a \`create(options, context)\` function`);
  if (typeof options !== "object" || options === null || Array.isArray(options)) throw bad(`the ${type} ${noun} needs an \`options\` schema (use {} for none)`);
  for (const [key, field] of Object.entries(options)) {
    const f = field as Partial<{ check: unknown; description: unknown; docType: unknown }>;
    if (typeof f?.check !== "function" || typeof f.description !== "string" || typeof f.docType !== "string") {
      throw bad(`option ${/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(key) ? `"${key}"` : "(a key)"} of the ${type} ${noun} is not built with the option builders${spec.buildersNote}`);
    }
  }
}
