/**
 * What a source module exports so hush.yaml can name it: a {@link SourceDescriptor}. The registry
 * (`./registry.ts`) is a list of these; validation, `buildSources`, `doctor`, the docs table and
 * the "unknown source type" error all read it. docs/sources.md shows how to write one.
 *
 * @example
 * export const memoSourceType = defineSourceType({
 *   type: "memo",
 *   summary: "values from an in-memory map (tests)",
 *   options: { prefix: option.string({ description: "prepended to every name" }) },
 *   create: (options, context) => createMemoSource({ prefix: options.prefix }),
 * });
 */
import { resolve } from "node:path";
import type { SecretSource } from "../types.js";
import type { InferOptions, OptionsSchema } from "../config/options-schema.js";
import type { RemoteRef } from "../config/types.js";
import type { KeySettings } from "../keys/environment-key.js";

/** What every factory gets from the project besides its options. */
export interface SourceContext {
  /** Project folder (of hush.yaml); relative paths in options are resolved against it. */
  root: string;
  /** The secrets folder in effect (`--secrets-dir`, else `<root>/.secrets`). */
  secretsDir: string;
  /** True when `secretsDir` was given explicitly (`--secrets-dir`): it wins over an option `dir`. */
  secretsDirExplicit?: boolean;
  /** The environment in effect (`dev`, `prod`, ...). */
  environment: string;
  /** The process environment a source may read. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Receives warnings (never values). */
  onWarning: (message: string) => void;
  /** Receives `--debug` lines (never values): remote sources' attempts, retries and waits. @default none */
  onDebug?: (message: string) => void;
  /**
   * hush.yaml's `project:` and `keys:`. A store that needs its environment's key calls
   * `loadEnvironmentKey(keyContextOf(context))` (src/keys/environment-key.ts).
   */
  keySettings?: KeySettings;
  /** `secrets.NAME.remote` from hush.yaml by canonical name: where remote sources keep each secret. */
  remoteRefs?: Readonly<Record<string, RemoteRef>>;
}

/** A source type as hush.yaml names it: its options schema, its factory and a one-line summary. */
export interface SourceDescriptor<S extends OptionsSchema = OptionsSchema> {
  /** The `type:` in hush.yaml: lower-case letters, digits and `-`, at most 32 characters. */
  readonly type: string;
  /** One line for `hush doctor` and the docs. */
  readonly summary: string;
  /** The options schema; validation and the options' TypeScript type both come from it. */
  readonly options: S;
  /** Makes the source from validated options (defaults filled in). Connects lazily. */
  create(options: InferOptions<S>, context: SourceContext): SecretSource | Promise<SecretSource>;
}

/** Returns `descriptor` as is; it only lets TypeScript infer the options' type from the schema. */
export function defineSourceType<const S extends OptionsSchema>(descriptor: SourceDescriptor<S>): SourceDescriptor<S> {
  return descriptor;
}

/** The folder a source with a `dir` option uses: `--secrets-dir`, else `dir` (relative to the project), else the secrets folder. */
export function sourceFolder(dir: string | undefined, context: Pick<SourceContext, "root" | "secretsDir" | "secretsDirExplicit">): string {
  if (context.secretsDirExplicit || typeof dir !== "string") return context.secretsDir;
  return resolve(context.root, dir);
}
