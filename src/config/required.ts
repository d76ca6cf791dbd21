/**
 * Which secrets are required, and which of them nothing provides (`hush check`, `hush doctor`).
 *
 * Required: every `secrets:` entry of hush.yaml with `required: true`, plus every name in the
 * project's `.env.example` unless hush.yaml declares it `required: false` or its comment block in
 * `.env.example` says `optional` (the convention of dotenv-safe: names in the example are required).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { HushError } from "../errors.js";
import { canonicalName, envName, isValidName } from "../names.js";
import type { SecretsManager } from "../manager.js";
import type { LoadedConfig } from "./types.js";

/** The example file read and written in the project folder. */
export const ENV_EXAMPLE_FILE = ".env.example";
/** Largest .env.example read. */
const MAX_EXAMPLE_BYTES = 1024 * 1024;

/** One name of a `.env.example`, with whether its comment marks it optional. */
export interface ExampleEntry {
  /** The name as written (usually `OPENAI_API_KEY`). */
  key: string;
  optional: boolean;
}

/** A required secret and where the requirement comes from. */
export interface RequiredSecret {
  name: string;
  envName: string;
  from: ("hush.yaml" | ".env.example")[];
}

/** What {@link findMissingRequired} found. */
export interface RequiredCheck {
  required: RequiredSecret[];
  missing: RequiredSecret[];
  /** Names that could not be checked (source down, wrong key, ...): code and message, no value. */
  errors: { name: string; code: string; message: string }[];
}

/** Parses the names of a `.env.example` (values are ignored, never kept). */
export function parseEnvExample(text: string): ExampleEntry[] {
  const entries: ExampleEntry[] = [];
  let comment: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed.startsWith("#")) {
      comment.push(trimmed);
      continue;
    }
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=/.exec(trimmed);
    if (m && isValidName(m[1])) entries.push({ key: m[1]!, optional: comment.some((c) => /\boptional\b/i.test(c)) });
    comment = [];
  }
  return entries;
}

/** Reads `<root>/.env.example`; undefined when there is none. */
export function readEnvExample(root: string): string | undefined {
  const path = join(root, ENV_EXAMPLE_FILE);
  try {
    const text = readFileSync(path);
    if (text.length > MAX_EXAMPLE_BYTES) throw new HushError("LIMIT_EXCEEDED", `${path} is larger than ${MAX_EXAMPLE_BYTES} bytes.`);
    return text.toString("utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    if (e instanceof HushError) throw e;
    throw new HushError("READ_FAILED", `Cannot read ${path}.`, { cause: e });
  }
}

/** The required secrets of a project (see the module comment). */
export function requiredSecrets(loaded: LoadedConfig, exampleText = readEnvExample(loaded.root)): RequiredSecret[] {
  const byEnv = new Map<string, RequiredSecret>();
  for (const [name, policy] of Object.entries(loaded.config.secrets)) {
    if (policy.required) byEnv.set(envName(name), { name, envName: envName(name), from: ["hush.yaml"] });
  }
  const declared = new Map(Object.entries(loaded.config.secrets).map(([n, p]) => [envName(n), p]));
  for (const entry of exampleText === undefined ? [] : parseEnvExample(exampleText)) {
    const variable = envName(entry.key);
    const known = byEnv.get(variable);
    if (known) {
      if (!known.from.includes(".env.example")) known.from.push(".env.example");
      continue;
    }
    if (entry.optional || declared.get(variable)?.required === false) continue;
    byEnv.set(variable, { name: canonicalName(entry.key), envName: variable, from: [".env.example"] });
  }
  return [...byEnv.values()];
}

/** Resolves every required secret and returns those nothing provides. */
export async function findMissingRequired(manager: SecretsManager, loaded: LoadedConfig): Promise<RequiredCheck> {
  const required = requiredSecrets(loaded);
  const { issues } = await manager.resolve(required.map((r) => r.name));
  const missingNames = new Set(issues.filter((i) => i.code === "NOT_FOUND").map((i) => i.name));
  return {
    required,
    missing: required.filter((r) => missingNames.has(r.name)),
    errors: issues.filter((i) => i.code !== "NOT_FOUND").map((i) => ({ name: i.name, code: i.code, message: i.message })),
  };
}
