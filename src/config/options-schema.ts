/**
 * Typed option schemas for plug-ins (sources today; key providers and rotators next). One schema
 * gives three things: the offline check of `options:` in hush.yaml (problems with their path,
 * `sources[2].options.address`), the TypeScript type of the options (`InferOptions<typeof s>`),
 * and the rows of the reference table in docs/config.md.
 *
 * Why not zod or valibot: their issues carry the offending `input`, and a user may paste a token
 * into hush.yaml; here a problem message names the path and what was expected, never the value.
 * And this runs on `hush run`'s start-up path, so it is a few dozen lines, not a library.
 *
 * @example
 * const schema = { address: option.string({ description: "the server URL" }), retries: option.integer({ min: 0, max: 10, default: 3, description: "attempts" }) };
 * type Options = InferOptions<typeof schema>; // { address?: string; retries: number }
 */
import { credentialMessage, hasUrlPassword, looksLikeCredential, unknownKeyMessage } from "./validate-text.js";

/** A path into the document: keys and list indexes. */
export type ConfigPath = readonly (string | number)[];

/** Receives one problem: where, and what was expected (never the value). */
export type AddProblem = (path: ConfigPath, message: string) => void;

/**
 * One option: what it accepts, its one-line description and its default. `HasDefault` is true
 * when a default fills it in, so {@link InferOptions} makes it required.
 */
export interface OptionField<T, HasDefault extends boolean = boolean> {
  /** The type as the docs show it: `boolean`, `path`, `1–1000`, `strict \| warn`, ... */
  readonly docType: string;
  /** One line for the docs. */
  readonly description: string;
  /** Filled in by {@link parseOptions} when the option is absent. */
  readonly default?: T;
  /** The default as the docs show it, when it is not a plain value (`<project>/.secrets`). */
  readonly docDefault?: string;
  /** A nested mapping's own fields (`option.object`). */
  readonly fields?: OptionsSchema;
  /** Type marker only. */
  readonly hasDefault?: HasDefault;
  /** Checks `value` at `path`; adds a problem and returns undefined when it is not valid. */
  check(value: unknown, path: ConfigPath, add: AddProblem): T | undefined;
}

/** A schema: option name -> field. */
export type OptionsSchema = Readonly<Record<string, OptionField<unknown>>>;

/** The options a schema describes: fields with a default are required, the others optional. */
export type InferOptions<S extends OptionsSchema> = Simplify<
  { -readonly [K in keyof S as S[K] extends OptionField<unknown, true> ? K : never]: FieldValue<S[K]> } & {
    -readonly [K in keyof S as S[K] extends OptionField<unknown, true> ? never : K]?: FieldValue<S[K]>;
  }
>;

/** What every field builder takes. */
export interface FieldSpec<T> {
  description: string;
  default?: T;
  docDefault?: string;
}

type Built<T, S extends FieldSpec<T>> = OptionField<T, S extends { default: T } ? true : false>;

/** The field builders. */
export const option = {
  boolean: <const S extends FieldSpec<boolean>>(spec: S): Built<boolean, S> =>
    field("boolean", spec, (v) => (typeof v === "boolean" ? undefined : `expected true or false, got ${kindOf(v)}.`)),
  string: <const S extends FieldSpec<string>>(spec: S): Built<string, S> =>
    field("string", spec, (v) => (typeof v === "string" ? undefined : `expected a string, got ${kindOf(v)}.`)),
  /** A file or folder path: a non-empty string without NUL, at most 4096 characters. */
  path: <const S extends FieldSpec<string>>(spec: S): Built<string, S> =>
    field("path", spec, (v) => (isPath(v) ? undefined : `expected a path (a non-empty string), got ${kindOf(v)}.`)),
  /** A non-empty list of paths. */
  paths: <const S extends FieldSpec<string[]>>(spec: S): Built<string[], S> =>
    field("list of paths", spec, (v) => {
      if (!Array.isArray(v) || v.length === 0) return `expected a non-empty list of paths, got ${kindOf(v)}.`;
      return v.every(isPath) ? undefined : "every entry must be a path (a non-empty string).";
    }),
  /** A list of strings, each matching `pattern` when given. */
  strings: <const S extends FieldSpec<string[]> & { pattern?: RegExp }>(spec: S): Built<string[], S> =>
    field("list of strings", spec, (v) => {
      if (!Array.isArray(v)) return `expected a list of strings, got ${kindOf(v)}.`;
      return v.every((s) => typeof s === "string" && (!spec.pattern || spec.pattern.test(s))) ? undefined : "every entry must be a string of the expected form.";
    }),
  integer: <const S extends FieldSpec<number> & { min: number; max: number }>(spec: S): Built<number, S> =>
    field(`${spec.min}–${spec.max}`, spec, (v) =>
      Number.isInteger(v) && (v as number) >= spec.min && (v as number) <= spec.max ? undefined : `expected a whole number from ${spec.min} to ${spec.max}.`,
    ),
  number: <const S extends FieldSpec<number> & { min: number; max: number }>(spec: S): Built<number, S> =>
    field(`number ${spec.min}–${spec.max}`, spec, (v) =>
      typeof v === "number" && Number.isFinite(v) && v >= spec.min && v <= spec.max ? undefined : `expected a number from ${spec.min} to ${spec.max}.`,
    ),
  /** One of a few words. */
  choice: <const V extends readonly string[], const S extends FieldSpec<V[number]>>(values: V, spec: S): Built<V[number], S> =>
    field(values.join(" \\| "), spec, (v) =>
      typeof v === "string" && values.includes(v) ? undefined : `expected one of ${values.join(", ")}, got ${typeof v === "string" ? "another word" : kindOf(v)}.`,
    ),
  /** A nested mapping with its own schema (paths such as `sources[0].options.tls.ca`). */
  object: <const N extends OptionsSchema, const S extends FieldSpec<InferOptions<N>>>(schema: N, spec: S): Built<InferOptions<N>, S> => ({
    docType: "mapping",
    ...spec,
    fields: schema,
    check: (v, path, add) => {
      if (!isMapping(v)) {
        add(path, `expected a mapping, got ${kindOf(v)}.`);
        return undefined;
      }
      return parseOptions(schema, v, path, add);
    },
  }),
};

/**
 * Checks a mapping against a schema and returns the typed options, defaults filled in. Unknown
 * keys are problems (a credential-looking one is reported as such, with a "did you mean" else);
 * a string holding a URL with a password is a problem wherever it is. Values are never echoed.
 */
export function parseOptions<S extends OptionsSchema>(schema: S, raw: Readonly<Record<string, unknown>>, at: ConfigPath, add: AddProblem): InferOptions<S> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const path = [...at, key];
    const spec = Object.hasOwn(schema, key) ? schema[key] : undefined;
    if (!spec) add(path, looksLikeCredential(key, value) ? credentialMessage() : unknownKeyMessage(key, Object.keys(schema)));
    else {
      const checked = spec.check(value, path, add);
      if (checked !== undefined) out[key] = checked;
    }
    if (typeof value === "string" && hasUrlPassword(value)) add(path, "holds a URL with a password; " + credentialMessage());
  }
  for (const [key, spec] of Object.entries(schema)) if (!(key in out) && spec.default !== undefined) out[key] = structuredClone(spec.default);
  return out as InferOptions<S>;
}

/** True for a non-null object that is not a list. */
export function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A non-empty string without NUL, at most 4096 characters. */
export function isPath(v: unknown): v is string {
  return typeof v === "string" && v.length > 0 && v.length <= 4096 && !v.includes("\0");
}

/** What kind of YAML value `v` is, in words (for messages that must not show the value). */
export function kindOf(v: unknown): string {
  if (v === null || v === undefined) return "nothing";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  if (typeof v === "number") return "a number";
  if (typeof v === "boolean") return "true/false";
  if (typeof v === "string") return "a string";
  return `a ${typeof v}`;
}

// --- internal ---

type FieldValue<F> = F extends OptionField<infer T> ? T : never;
type Simplify<T> = { [K in keyof T]: T[K] } & {};

function field<T, S extends FieldSpec<T>>(docType: string, spec: S, problem: (v: unknown) => string | undefined): Built<T, S> {
  return {
    docType,
    ...spec,
    check(value, path, add) {
      const message = problem(value);
      if (message === undefined) return value as T;
      add(path, message);
      return undefined;
    },
  };
}
