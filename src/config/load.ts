/**
 * Finding and reading hush.yaml: searched upward from the working directory, within the folders
 * the user controls (see {@link findConfigFile}); the `yaml` package
 * is imported (lazily) only when the file has content other than comments, so the commented
 * template `hush init` writes costs a read and a regex, not a YAML parse.
 *
 * @example
 * const { path, config, environment } = await loadConfig({ cwd: process.cwd() });
 */
import { existsSync, lstatSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { HushError } from "../errors.js";
import { assertValidEnvironment, DEFAULT_ENVIRONMENT } from "../environment.js";
import { checkConfig, configInvalid, type ConfigCheck, type ConfigPath } from "./validate.js";
import type { ConfigProblem, EnvironmentOrigin, HushConfig, LoadedConfig } from "./types.js";
import { forgetOldText, readParsedConfig, writeParsedConfig } from "./parse-cache.js";
import { isTrustedOwner, readTrustedFile } from "../fs/read-trusted-file.js";

/** The file name searched for. */
export const CONFIG_FILE = "hush.yaml";
/** Largest hush.yaml read: a config is small; a huge one is a mistake. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/**
 * Most keys, list items and commas a hush.yaml may hold. The parser's time grows with the square
 * of a mapping's size (60,000 keys: minutes), so the text is counted, in one linear pass,
 * before it is parsed. 5,000 leaves room for a thousand secrets with a few fields each.
 */
export const MAX_CONFIG_NODES = 5000;

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Where the upward search starts. @default process.cwd() */
  cwd?: string;
  /** `--env`: wins over HUSH_ENV and the config. */
  environment?: string;
  /** Where HUSH_ENV is read. @default process.env */
  env?: NodeJS.ProcessEnv;
}

/** The default config, used when there is no hush.yaml or it holds only comments. */
export function defaultConfig(): HushConfig {
  return { version: 1, audit: "best-effort", secrets: {} };
}

/**
 * Finds hush.yaml, validates it and picks the environment (flag, HUSH_ENV, config, "dev").
 * Throws CONFIG_INVALID listing every problem of the file, INVALID_ARGUMENT for an environment
 * the config does not list.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const path = findConfigFile(cwd, options.env ?? process.env);
  let config = defaultConfig();
  if (path) {
    const checked = await readConfigFile(path, options.env ?? process.env);
    if (!checked.config) throw configInvalid(checked.problems, path);
    config = checked.config;
  }
  const { environment, origin } = pickEnvironment(config, options);
  if (config.environments && !config.environments.includes(environment)) {
    throw new HushError("INVALID_ARGUMENT", `Environment "${environment}" (from ${origin}) is not listed in ${path}.`, {
      hint: `hush.yaml lists: ${config.environments.join(", ")}; add it to \`environments\` or choose one of these.`,
    });
  }
  return { path, root: path ? dirname(path) : cwd, config, environment, environmentOrigin: origin };
}

/**
 * The nearest hush.yaml at or above `cwd`, or undefined. The search stays inside what the user
 * controls, as git's `safe.directory` and ssh's StrictModes do (FAULTS 25): it stops at the top
 * of a git work tree, at `$HOME`, and before a folder owned by another user (root excepted) or
 * writable by others without the sticky bit. So another user's `/tmp/hush.yaml` is never found
 * from a project under `/tmp/work` of your own; one that is found is read only if it is yours
 * or root's ({@link readConfigFile} refuses the rest).
 */
export function findConfigFile(cwd: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const home = env.HOME ? resolve(env.HOME) : undefined;
  let dir = resolve(cwd);
  for (;;) {
    const candidate = join(dir, CONFIG_FILE);
    // Anything by that name counts (a FIFO or a folder too): reading it then says what is wrong.
    if (lstatSync(candidate, { throwIfNoEntry: false })) return candidate;
    if (dir === home || existsSync(join(dir, ".git"))) return undefined;
    const parent = dirname(dir);
    if (parent === dir || !mayCrossInto(parent)) return undefined;
    dir = parent;
  }
}

/** Reads and validates one hush.yaml; returns every problem (syntax and schema) instead of throwing. */
export async function readConfigFile(path: string, env?: NodeJS.ProcessEnv): Promise<ConfigCheck> {
  let bytes: Buffer | undefined;
  try {
    bytes = readTrustedFile(path, { what: CONFIG_FILE, maxBytes: MAX_CONFIG_BYTES });
  } catch (e) {
    if (e instanceof HushError && e.code === "LIMIT_EXCEEDED") return { problems: [{ path: "", message: `the file is larger than ${MAX_CONFIG_BYTES} bytes.` }] };
    throw e;
  }
  if (bytes === undefined) throw new HushError("READ_FAILED", `Cannot read ${path}: it no longer exists.`);
  const text = bytes.toString("utf8");
  if (env) await forgetOldText(resolve(path), text, env);
  return parseConfigText(text, env);
}

/** True when `text` has a line that is neither blank nor a comment. */
export function hasContent(text: string): boolean {
  return /^[ \t\uFEFF]*[^\s#\uFEFF]/m.test(text);
}

/**
 * Parses and validates hush.yaml text. With `env` (HOME or XDG_CACHE_HOME), a text seen before
 * is taken from the per-user parse cache (config/parse-cache.ts) without loading the YAML parser.
 */
export async function parseConfigText(text: string, env?: NodeJS.ProcessEnv): Promise<ConfigCheck> {
  if (!hasContent(text)) return { config: defaultConfig(), problems: [] };
  const plain = plainTemplate(text);
  if (plain) return checkConfig(plain);
  if (countNodes(text) > MAX_CONFIG_NODES) {
    return { problems: [{ path: "", message: `the file has more than ${MAX_CONFIG_NODES} keys, list items or commas; hush.yaml is not meant to be that large.` }] };
  }
  const cached = env ? readParsedConfig(text, env) : undefined;
  if (cached) {
    const checked = checkConfig(cached.raw);
    if (checked.config) return checked;
    // Valid when it was cached; not now (another hush version): parse again for line numbers.
  }
  const checked = await parseYaml(text);
  if (env && checked.raw !== undefined && checked.result.config) await writeParsedConfig(text, checked.raw, env);
  return checked.result;
}

async function parseYaml(text: string): Promise<{ result: ConfigCheck; raw?: unknown }> {
  // yaml is CommonJS for Node: unbundled, import() gives named exports; in the esbuild bundle only `default`.
  const mod = (await import("yaml")) as typeof import("yaml") & { default?: typeof import("yaml") };
  const { parseDocument, LineCounter } = typeof mod.LineCounter === "function" ? mod : mod.default!;
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, schema: "core", strict: true });
  const syntax: ConfigProblem[] = [...doc.errors, ...doc.warnings].map((e) => ({ path: "", line: lines.linePos(e.pos[0]).line, message: describeYamlError(e.code) }));
  if (syntax.length > 0) return { result: { problems: syntax } };
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (_e) {
    // toJS throws only for alias expansion past maxAliasCount; its message is not shown (it may quote the file).
    return { result: { problems: [{ path: "", message: "the file expands too many YAML aliases (&anchor / *alias)." }] } };
  }
  const lineOf = (p: ConfigPath): number | undefined => {
    const node = doc.getIn(p, true) as { range?: [number, number, number] } | undefined;
    return node?.range ? lines.linePos(node.range[0]).line : undefined;
  };
  return { result: checkConfig(raw, { lineOf }), raw };
}

// --- internal ---

/**
 * The template `hush init` writes (comments, `version: 1`, `project: <id>`) read without the YAML
 * parser, so `hush run` on a new project starts as fast as with no hush.yaml. Anything else: undefined.
 */
function plainTemplate(text: string): { version: 1; project: string } | undefined {
  let version = false;
  let project: string | undefined;
  for (const line of text.split("\n")) {
    if (/^[ \t\uFEFF]*(#.*)?\r?$/.test(line)) continue;
    if (!version && /^version: 1\r?$/.test(line)) version = true;
    else if (project === undefined && /^project: [a-z0-9][a-z0-9._-]{0,63}\r?$/.test(line)) project = line.slice(9).trim();
    else return undefined;
  }
  return version && project !== undefined ? { version: 1, project } : undefined;
}

/**
 * An upper estimate of the YAML nodes in `text`: mapping indicators (`:` before a space or the
 * line end), sequence items (`- `) and commas (flow collections). Comments and strings are
 * counted too; that only errs on the safe side.
 */
function countNodes(text: string): number {
  let count = 0;
  for (const _ of text.matchAll(/:(?=[\s]|$)|(?:^|[\s[{,])-(?=\s)|,/gm)) {
    if (++count > MAX_CONFIG_NODES) break;
  }
  return count;
}

/** Whether the upward search may look in `dir`: owned by you or root, and not writable by others unless sticky. */
function mayCrossInto(dir: string): boolean {
  const st = statSync(dir, { throwIfNoEntry: false });
  if (!st || !isTrustedOwner(st.uid)) return false;
  const writableByOthers = (st.mode & 0o022) !== 0;
  const sticky = (st.mode & 0o1000) !== 0;
  return !writableByOthers || sticky;
}

function pickEnvironment(config: HushConfig, options: LoadConfigOptions): { environment: string; origin: EnvironmentOrigin } {
  const hushEnv = (options.env ?? process.env).HUSH_ENV;
  if (options.environment) return { environment: assertValidEnvironment(options.environment), origin: "flag" };
  if (hushEnv) return { environment: assertValidEnvironment(hushEnv), origin: "HUSH_ENV" };
  if (config.environment) return { environment: config.environment, origin: "config" };
  return { environment: DEFAULT_ENVIRONMENT, origin: "default" };
}

/** A YAML error code in words; the parser's own message quotes the file, so it is never shown. */
function describeYamlError(code: string): string {
  const words: Record<string, string> = {
    BAD_INDENT: "bad indentation",
    TAB_AS_INDENT: "a tab is used for indentation; use spaces",
    DUPLICATE_KEY: "a key appears twice in the same mapping",
    MULTIPLE_DOCS: "more than one YAML document (`---`); keep one",
    MISSING_CHAR: "a closing quote or bracket is missing",
    BAD_DQ_ESCAPE: "a bad escape sequence in a double-quoted string",
    UNEXPECTED_TOKEN: "unexpected characters",
    BLOCK_AS_IMPLICIT_KEY: "a nested block where a key was expected (check indentation and colons)",
    MULTILINE_IMPLICIT_KEY: "a key spans several lines (check for a missing colon)",
    TAG_RESOLVE_FAILED: "an unknown YAML tag (`!tag`)",
    BAD_ALIAS: "an alias (*name) with no matching anchor",
    RESOURCE_EXHAUSTION: "the document is too large or too deeply nested",
  };
  return `YAML syntax: ${words[code] ?? code.toLowerCase().replace(/_/g, " ")}.`;
}
