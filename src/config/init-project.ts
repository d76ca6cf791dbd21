/**
 * `hush init`: the secrets folder (0700), the environment's key (0600, never overwritten), a
 * commented hush.yaml (only when none exists) and `.gitignore` lines for the secrets folder,
 * `.env` and `.env.*` (the dotenv source reads `.env.<environment>`) but `.env.example`.
 * Every step checks before it acts, so running it twice changes nothing. A `.gitignore` that is
 * a symbolic link is refused before anything is created: hush never writes through it.
 */
import { appendFileSync, closeSync, constants, existsSync, lstatSync, openSync, readFileSync, writeFileSync, writeSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { HushError } from "../errors.js";
import { keyFilePath } from "../crypto/key-file.js";
import { createProjectKey } from "./init-key.js";
import { CONFIG_FILE, loadConfig } from "./load.js";
import { resolveSecretsDir } from "./open.js";
import { configTemplate } from "./template.js";
import type { EnvironmentOrigin, LoadedConfig } from "./types.js";

/** Options of {@link initProject}. */
export interface InitProjectOptions {
  /** Working directory; the project is the folder of the nearest hush.yaml, else this. @default process.cwd() */
  cwd?: string;
  /** `--env`. @default HUSH_ENV, then the config's environment, then "dev" */
  environment?: string;
  /** `--secrets-dir`. */
  secretsDir?: string;
  /** Where HUSH_ENV is read. @default process.env */
  env?: NodeJS.ProcessEnv;
  /**
   * `--force-new-key`: when the key is missing but a store of the environment exists, move the
   * store (and its audit log) aside into `.secrets/orphaned-<env>-<time>/` and make a new key.
   * Without it, init refuses (KEY_MISSING) rather than pair a new key with old data.
   * @default false
   */
  forceNewKey?: boolean;
  /**
   * `--postgres`: add the postgres source to hush.yaml (`sources: env, postgres`, the URL from
   * HUSH_DATABASE_URL). Written into a new hush.yaml, or appended to one without `sources:`;
   * otherwise the section is returned for the user to add. @default false
   */
  postgres?: boolean;
}

/** What {@link initProject} found and did. Paths are absolute. */
export interface InitResult {
  root: string;
  environment: string;
  environmentOrigin: EnvironmentOrigin;
  secretsDir: string;
  keyFile: string;
  configFile: string;
  gitignore: string;
  created: { secretsDir: boolean; key: boolean; config: boolean };
  /** Lines appended to .gitignore (empty when everything was already ignored). */
  gitignoreAdded: string[];
  /** With `postgres`: `written` (into hush.yaml), `present` (already there), or `manual` (add `postgresSection` yourself). */
  postgres?: "written" | "present" | "manual";
  /** With `postgres`: the hush.yaml lines of the postgres source. */
  postgresSection?: string;
  /** With `forceNewKey`: the folder the orphaned store files were moved into. */
  movedAside?: string;
}

/** Sets up a project for hush; safe to run any number of times. */
export async function initProject(options: InitProjectOptions = {}): Promise<InitResult> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const loaded = await loadConfig({ cwd, environment: options.environment, env: options.env });
  const { root, environment } = loaded;
  const gitignore = join(root, ".gitignore");
  refuseSymlink(gitignore);
  const secretsDir = resolveSecretsDir(loaded, cwd, options.secretsDir);
  const dirExisted = existsSync(secretsDir);
  const key = createProjectKey(secretsDir, environment, options.forceNewKey === true);

  const configFile = loaded.path ?? join(root, CONFIG_FILE);
  const configCreated = loaded.path === undefined && writeIfAbsent(configFile, options.postgres ? configTemplate(environment).replace("\n# version: 1\n", "\nversion: 1\n") + `\n${POSTGRES_SECTION}` : configTemplate(environment));
  const postgres = options.postgres ? addPostgresSection(loaded, configFile, configCreated) : undefined;

  const wanted = [".env"];
  const inside = relative(root, secretsDir);
  if (inside && !inside.startsWith("..") && !isAbsolute(inside)) wanted.unshift(inside.split("\\").join("/") + "/");
  const gitignoreAdded = await addToGitignore(gitignore, wanted);

  return {
    root,
    environment,
    environmentOrigin: loaded.environmentOrigin,
    secretsDir,
    keyFile: keyFilePath(secretsDir, environment),
    configFile,
    gitignore,
    created: { secretsDir: !dirExisted, key: key.created, config: configCreated },
    gitignoreAdded,
    ...(postgres === undefined ? {} : { postgres, postgresSection: POSTGRES_SECTION }),
    ...(key.movedAside === undefined ? {} : { movedAside: key.movedAside }),
  };
}

// --- internal ---

/** The postgres source's hush.yaml section: no connection string in the file, only where to find it. */
const POSTGRES_SECTION = `# The shared production store (docs/postgres.md). The connection string is read from
# HUSH_DATABASE_URL (never a password in this file: PGPASSWORD or ~/.pgpass give it);
# \`hush db migrate\` creates the schema, \`hush db grant\` gives roles access.
sources:
  - type: env
  - type: postgres
    options: { urlEnv: HUSH_DATABASE_URL, schema: hush }
`;

/** Adds the postgres section to an existing hush.yaml that has no \`sources:\`; else says what to do. */
function addPostgresSection(loaded: LoadedConfig, configFile: string, created: boolean): "written" | "present" | "manual" {
  if (created) return "written";
  if (loaded.config.sources?.some((s) => s.type === "postgres")) return "present";
  if (loaded.config.sources !== undefined) return "manual";
  try {
    const hasVersion = /^version:/m.test(readFileSync(configFile, "utf8"));
    appendFileSync(configFile, `\n${hasVersion ? "" : "version: 1\n"}${POSTGRES_SECTION}`);
  } catch (e) {
    throw new HushError("WRITE_FAILED", `Cannot add the postgres source to ${configFile}.`, { cause: e });
  }
  return "written";
}

/** Creates `path` with `text` unless it exists (O_EXCL: a racing init keeps the first file). */
function writeIfAbsent(path: string, text: string): boolean {
  try {
    writeFileSync(path, text, { flag: "wx", mode: 0o644 });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw new HushError("WRITE_FAILED", `Cannot create ${path}.`, { cause: e });
  }
}

/** Refuses a `.gitignore` that is a symbolic link: appending would write to whatever it points at. */
function refuseSymlink(path: string): void {
  let isLink = false;
  try {
    isLink = lstatSync(path).isSymbolicLink();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw new HushError("READ_FAILED", `Cannot read ${path}.`, { cause: e });
  }
  if (isLink) {
    throw new HushError("WRITE_FAILED", `${path} is a symbolic link; hush init does not write through it, and created nothing.`, {
      hint: "Replace it with a regular file (or add the secrets folder, .env, .env.* and !.env.example to its target yourself), then run `hush init` again.",
    });
  }
}

/**
 * Appends the patterns .gitignore does not already cover; returns the lines added. `.env.*`
 * comes with `!.env.example` (a template meant to be committed) unless that is already kept.
 */
async function addToGitignore(path: string, patterns: string[]): Promise<string[]> {
  let text = "";
  try {
    const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      text = readFileSync(fd, "utf8");
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw new HushError("READ_FAILED", `Cannot read ${path}.`, { cause: e });
  }
  const { default: ignore } = await import("ignore");
  const rules = ignore().add(text);
  const missing = patterns.filter((p) => !rules.ignores(p));
  if ([".env.dev", ".env.prod", ".env.local"].some((p) => !rules.ignores(p))) missing.push(".env.*");
  rules.add(missing);
  if (rules.ignores(".env.example")) missing.push("!.env.example");
  if (missing.length === 0) return [];
  const prefix = text.length > 0 && !text.endsWith("\n") ? "\n" : "";
  try {
    // O_NOFOLLOW: a symlink put in place since the check is not followed either.
    const fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o644);
    try {
      writeSync(fd, `${prefix}# hush: the secrets folder and plaintext env files\n${missing.join("\n")}\n`);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    throw new HushError("WRITE_FAILED", `Cannot update ${path}.`, { cause: e });
  }
  return missing;
}
