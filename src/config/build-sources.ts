/**
 * Source types that hush.yaml may name, with each type's option schema (checked offline by
 * validate.ts) and its factory. Factories import their source module lazily, so a chain without
 * a cloud source never loads a cloud SDK.
 *
 * To add a source type: add one entry to SOURCE_TYPES (schema + create) and a test in
 * test/config/build-sources.test.ts.
 */
import { resolve } from "node:path";
import { HushError } from "../errors.js";
import type { SecretSource } from "../types.js";
import type { SourceConfig } from "./types.js";

/** The type of one option value. */
export type OptionSpec =
  | { kind: "boolean" }
  | { kind: "string" }
  | { kind: "path" }
  | { kind: "paths" }
  | { kind: "integer"; min: number; max: number }
  | { kind: "choice"; values: readonly string[] };

/** What every factory gets besides its options. */
export interface BuildSourcesOptions {
  /** Project folder; relative paths in options are resolved against it. */
  root: string;
  /** The secrets folder in effect (`--secrets-dir`, else `<root>/.secrets`). */
  secretsDir: string;
  /** True when `secretsDir` was given explicitly (`--secrets-dir`): it wins over an option `dir`. */
  secretsDirExplicit?: boolean;
  environment: string;
  /** What the `env` source reads. @default process.env */
  env?: NodeJS.ProcessEnv;
  onWarning: (message: string) => void;
}

/** A source type: its options and how to make it. */
export interface SourceType {
  options: Record<string, OptionSpec>;
  create(options: Record<string, unknown>, context: BuildSourcesOptions): Promise<SecretSource>;
}

/** Source types available in this version. */
export const SOURCE_TYPES: Readonly<Record<string, SourceType>> = {
  env: {
    options: { listAll: { kind: "boolean" } },
    async create(o, c) {
      const { createEnvSource } = await import("../sources/env.js");
      return createEnvSource({ env: c.env, listAll: o.listAll as boolean | undefined });
    },
  },
  dotenv: {
    options: { files: { kind: "paths" } },
    async create(o, c) {
      const { createDotenvSource } = await import("../sources/dotenv.js");
      return createDotenvSource({ cwd: c.root, environment: c.environment, files: o.files as string[] | undefined, onWarning: c.onWarning });
    },
  },
  local: {
    options: {
      dir: { kind: "path" },
      maxVersions: { kind: "integer", min: 1, max: 1000 },
      lockTimeoutMs: { kind: "integer", min: 100, max: 600_000 },
      permissions: { kind: "choice", values: ["strict", "warn"] },
    },
    async create(o, c) {
      const { createLocalSource } = await import("../sources/local.js");
      return createLocalSource({
        secretsDir: folderOf(o, c),
        environment: c.environment,
        maxVersions: o.maxVersions as number | undefined,
        lockTimeoutMs: o.lockTimeoutMs as number | undefined,
        permissions: o.permissions as "strict" | "warn" | undefined,
        onWarning: c.onWarning,
      });
    },
  },
  mallku: {
    options: { dir: { kind: "path" } },
    async create(o, c) {
      const { createMallkuSource } = await import("../sources/mallku.js");
      return createMallkuSource({ secretsDir: folderOf(o, c), onWarning: c.onWarning });
    },
  },
};

/** Types that later versions add; naming one gets a clearer error than "unknown". */
export const PLANNED_SOURCE_TYPES: readonly string[] = ["postgres", "vault", "aws", "gcp", "kubernetes"];

/**
 * Builds the chain from validated `sources:` entries, in order.
 * Throws CONFIG_INVALID for a type this version does not know.
 */
export async function buildSources(entries: readonly SourceConfig[], options: BuildSourcesOptions): Promise<SecretSource[]> {
  const chain: SecretSource[] = [];
  for (const [i, entry] of entries.entries()) {
    const type = SOURCE_TYPES[entry.type];
    if (!type) throw new HushError("CONFIG_INVALID", `sources[${i}].type: ${describeUnknownType(entry.type)}`);
    chain.push(await type.create(entry.options, options));
  }
  return chain;
}

/** The folder a `local` or `mallku` entry uses. */
export function sourceFolder(entry: SourceConfig, options: Pick<BuildSourcesOptions, "root" | "secretsDir" | "secretsDirExplicit">): string {
  return folderOf(entry.options, options);
}

/** "unknown source type ...; known types: ..." without echoing anything that is not a plain word. */
export function describeUnknownType(type: unknown): string {
  const known = Object.keys(SOURCE_TYPES).join(", ");
  if (typeof type === "string" && PLANNED_SOURCE_TYPES.includes(type)) {
    return `the ${type} source is not available in this version of hush; known types: ${known}.`;
  }
  const shown = typeof type === "string" && /^[A-Za-z][A-Za-z0-9_-]{0,31}$/.test(type) ? `"${type}"` : "given";
  return `unknown source type ${shown}; known types: ${known}.`;
}

// --- internal ---

function folderOf(o: Record<string, unknown>, c: Pick<BuildSourcesOptions, "root" | "secretsDir" | "secretsDirExplicit">): string {
  if (c.secretsDirExplicit || typeof o.dir !== "string") return c.secretsDir;
  return resolve(c.root, o.dir);
}
