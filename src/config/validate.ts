/**
 * Offline validation of hush.yaml: every problem at once, each with its path
 * (`sources[2].options.address`) and line, in one CONFIG_INVALID error. Strict: unknown keys are
 * errors, with a "did you mean" when a known key is close.
 *
 * Messages name keys and paths only, never a value from the file: a user may paste a token into
 * hush.yaml, so a key or value that looks like a credential gets "move it to an environment
 * variable" and is not echoed.
 */
import { HushError } from "../errors.js";
import { findCollisions, envName, isValidName } from "../names.js";
import { assertValidEnvironment } from "../environment.js";
import { checkAudit } from "./validate-audit.js";
import { checkKeys, looksLikeCredential, tokenShaped, unknownKeyMessage } from "./validate-text.js";
import { isMapping, isPath, kindOf, type AddProblem, type ConfigPath } from "./options-schema.js";
import { checkSources } from "./validate-sources.js";
import { checkRotator } from "./validate-rotator.js";
import { checkKeysSection, checkProject } from "./validate-keys.js";
import { checkGateway } from "./validate-gateway.js";
import { DEFAULT_ROTATION_DAYS, SECRET_TYPES, type ConfigProblem, type HushConfig, type RemoteRef, type ScanConfig, type SecretPolicy, type SecretType } from "./types.js";

export type { ConfigPath } from "./options-schema.js";

/** Options of {@link validateConfig}. */
export interface ValidateConfigOptions {
  /** File name for messages. @default "hush.yaml" */
  file?: string;
  /** Maps a path to its 1-based line in the file, when known. */
  lineOf?: (path: ConfigPath) => number | undefined;
}

/** What {@link checkConfig} found: the config when there were no problems. */
export interface ConfigCheck {
  config?: HushConfig;
  problems: ConfigProblem[];
}

const TOP_KEYS = ["version", "project", "environment", "environments", "audit", "sources", "keys", "secrets", "scan", "gateway"];
const SCAN_KEYS = ["allow"];
const SCAN_ALLOW_KEYS = ["paths", "rules", "secrets"];
const SECRET_KEYS = ["required", "type", "description", "owner", "rotation", "remote", "rotator"];
const REMOTE_KEYS = ["key", "property", "version"];

/**
 * Validates a parsed hush.yaml and returns every problem (never throws for bad input).
 * `raw` null or undefined (an empty or all-comment file) is the default config.
 */
export function checkConfig(raw: unknown, options: ValidateConfigOptions = {}): ConfigCheck {
  const problems: ConfigProblem[] = [];
  const add = (path: ConfigPath, message: string) => problems.push({ path: formatPath(path), message, line: options.lineOf?.(path) });
  if (raw === null || raw === undefined) return { config: { version: 1, audit: "best-effort", secrets: {} }, problems };
  if (!isMapping(raw)) {
    add([], `the file must be a mapping of keys (version, sources, secrets, ...), not ${kindOf(raw)}.`);
    return { problems };
  }
  checkKeys(raw, [], TOP_KEYS, add);
  const config: HushConfig = { version: 1, audit: "best-effort", secrets: {} };

  if (!("version" in raw)) add(["version"], "missing; add `version: 1` at the top.");
  else if (raw.version !== 1) add(["version"], "this hush reads `version: 1` only.");

  if ("environment" in raw) config.environment = checkEnvironment(raw.environment, ["environment"], add);
  if ("environments" in raw) config.environments = checkEnvironments(raw.environments, add);
  if (config.environment && config.environments && !config.environments.includes(config.environment)) {
    add(["environment"], `"${config.environment}" is not one of \`environments\`; add it there or pick one of them.`);
  }

  if ("audit" in raw) checkAudit(raw.audit, config, add);
  if ("sources" in raw) config.sources = checkSources(raw.sources, add);
  if ("project" in raw) config.project = checkProject(raw.project, add);
  if ("keys" in raw) config.keys = checkKeysSection(raw.keys, add, { environments: config.environments, project: config.project });
  if ("secrets" in raw) config.secrets = checkSecrets(raw.secrets, add);
  if ("scan" in raw) config.scan = checkScan(raw.scan, add);
  if ("gateway" in raw) config.gateway = checkGateway(raw.gateway, add);
  return problems.length === 0 ? { config, problems } : { problems };
}

/** Validates and returns the config, or throws one CONFIG_INVALID listing every problem. */
export function validateConfig(raw: unknown, options: ValidateConfigOptions = {}): HushConfig {
  const { config, problems } = checkConfig(raw, options);
  if (!config || problems.length > 0) throw configInvalid(problems, options.file ?? "hush.yaml");
  return config;
}

/** The one CONFIG_INVALID error for a list of problems. */
export function configInvalid(problems: readonly ConfigProblem[], file: string): HushError {
  const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
  const lines = problems.map((p) => `  - ${p.line !== undefined ? `line ${p.line}: ` : ""}${p.path ? `${p.path}: ` : ""}${p.message}`);
  return new HushError("CONFIG_INVALID", `${file} is invalid (${count}):\n${lines.join("\n")}`);
}

/** `["sources", 2, "options", "address"]` -> `sources[2].options.address`. */
export function formatPath(path: ConfigPath): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(part) && part.length <= 64 && !tokenShaped(part)) out += out ? `.${part}` : part;
    else out += `[${safeKey(part)}]`;
  }
  return out;
}

// --- internal ---

type Add = AddProblem;
type Mapping = Record<string, unknown>;

function checkSecrets(raw: unknown, add: Add): Record<string, SecretPolicy> {
  const out: Record<string, SecretPolicy> = {};
  if (!isMapping(raw)) {
    if (raw !== null) add(["secrets"], `expected a mapping of secret names, got ${kindOf(raw)}.`);
    return out;
  }
  const valid: string[] = [];
  for (const [name, entry] of Object.entries(raw)) {
    const at = ["secrets", name];
    if (!isValidName(name)) {
      add(at, "not a valid secret name: use letters, digits, '_', '.' or '-', starting with a letter or '_', at most 128 characters.");
      continue;
    }
    valid.push(name);
    const policy: SecretPolicy = { required: false, type: "generic" };
    if (entry !== null && entry !== undefined && !isMapping(entry)) {
      add(at, `expected a mapping (required, type, description, owner, rotation), got ${kindOf(entry)}; hush.yaml declares secrets, it never holds their values.`);
      continue;
    }
    const e: Mapping = entry ?? {};
    for (const key of Object.keys(e)) {
      if (SECRET_KEYS.includes(key)) continue;
      if (["value", "default", "secret"].includes(key) || looksLikeCredential(key, e[key])) {
        add([...at, key], `hush.yaml never holds values: store it with \`hush set ${name}\` (and rotate it if this file was shared).`);
      } else add([...at, key], unknownKeyMessage(key, SECRET_KEYS));
    }
    if ("required" in e) {
      if (typeof e.required === "boolean") policy.required = e.required;
      else add([...at, "required"], `expected true or false, got ${kindOf(e.required)}.`);
    }
    if ("type" in e) {
      if (typeof e.type === "string" && (SECRET_TYPES as readonly string[]).includes(e.type)) policy.type = e.type as SecretType;
      else add([...at, "type"], `expected one of ${SECRET_TYPES.join(", ")}.`);
    }
    for (const key of ["description", "owner"] as const) {
      if (!(key in e)) continue;
      if (typeof e[key] === "string") policy[key] = e[key];
      else add([...at, key], `expected a string, got ${kindOf(e[key])}.`);
    }
    policy.rotationDays = DEFAULT_ROTATION_DAYS[policy.type];
    if ("rotation" in e) {
      const days = typeof e.rotation === "string" ? parseRotation(e.rotation) : undefined;
      if (days === undefined) add([...at, "rotation"], "expected a period such as 30d, 12w or never.");
      else {
        policy.rotation = e.rotation as string;
        policy.rotationDays = days === 0 ? undefined : days;
      }
    }
    if ("remote" in e) {
      const remote = checkRemoteRef(e.remote, [...at, "remote"], add);
      if (remote) policy.remote = remote;
    }
    if ("rotator" in e) {
      const rotator = checkRotator(e.rotator, [...at, "rotator"], add);
      if (rotator) policy.rotator = rotator;
    }
    out[name.toLowerCase()] = policy;
  }
  for (const group of findCollisions(valid)) {
    add(["secrets"], `${group.map((n) => `"${n}"`).join(" and ")} map to the same variable ${envName(group[0]!)}; keep one.`);
  }
  return out;
}

/**
 * `remote: { key, property, version }`: plain strings that read as paths and field names (a
 * version may be a number). A token-shaped string is refused without being echoed: a value pasted
 * in the wrong place must not be shown back.
 */
function checkRemoteRef(raw: unknown, at: (string | number)[], add: Add): RemoteRef | undefined {
  if (!isMapping(raw)) {
    add(at, `expected a mapping (key, property, version), got ${kindOf(raw)}.`);
    return undefined;
  }
  let ok = true;
  for (const key of Object.keys(raw)) {
    if (!REMOTE_KEYS.includes(key)) {
      add([...at, key], unknownKeyMessage(key, REMOTE_KEYS));
      ok = false;
    }
  }
  const text = (key: string, required: boolean): string | undefined => {
    let v = raw[key];
    if (v === undefined) {
      if (required) {
        add([...at, key], "expected a string: where the secret lives in the remote source.");
        ok = false;
      }
      return undefined;
    }
    if (key === "version" && typeof v === "number" && Number.isSafeInteger(v) && v > 0) v = String(v);
    if (typeof v !== "string" || v.length === 0 || v.length > 512 || [...v].some((c) => c.charCodeAt(0) < 0x20)) {
      add([...at, key], `expected a non-empty string of at most 512 characters without control characters, got ${kindOf(v)}.`);
      ok = false;
      return undefined;
    }
    if (looksLikeCredential(key, v)) {
      add([...at, key], "this looks like a credential, not a remote key or field name; hush.yaml never holds values.");
      ok = false;
      return undefined;
    }
    return v;
  };
  const ref: RemoteRef = { key: text("key", true) ?? "" };
  const property = text("property", false);
  const version = text("version", false);
  if (property !== undefined) ref.property = property;
  if (version !== undefined) ref.version = version;
  return ok ? ref : undefined;
}

/** `90d` -> 90, `12w` -> 84, `never` -> 0; undefined when malformed. */
function parseRotation(text: string): number | undefined {
  if (text === "never") return 0;
  const m = /^([1-9][0-9]{0,4})([dw])$/.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * (m[2] === "w" ? 7 : 1);
}

function checkEnvironment(raw: unknown, path: ConfigPath, add: Add): string | undefined {
  if (typeof raw !== "string") {
    add(path, `expected an environment name, got ${kindOf(raw)}.`);
    return undefined;
  }
  try {
    return assertValidEnvironment(raw);
  } catch (_e) {
    // The error quotes the name; say what is wrong without echoing it.
    add(path, "not a valid environment name: lower-case letters, digits, '_' or '-', at most 32 characters.");
    return undefined;
  }
}

/**
 * `scan: { allow: { paths, rules, secrets } }`. Rule ids are checked for their shape only (the
 * rule table is not loaded to validate a config); `hush scan` refuses an id it does not know.
 */
function checkScan(raw: unknown, add: Add): ScanConfig | undefined {
  if (!isMapping(raw)) {
    add(["scan"], `expected a mapping with \`allow:\`, got ${kindOf(raw)}.`);
    return undefined;
  }
  checkKeys(raw, ["scan"], SCAN_KEYS, add);
  if (!("allow" in raw)) return { allow: {} };
  if (!isMapping(raw.allow)) {
    add(["scan", "allow"], `expected a mapping of paths, rules and secrets, got ${kindOf(raw.allow)}.`);
    return undefined;
  }
  const allow: ScanConfig["allow"] = {};
  checkKeys(raw.allow, ["scan", "allow"], SCAN_ALLOW_KEYS, add);
  const lists: [keyof ScanConfig["allow"], (v: string) => boolean, string][] = [
    ["paths", isPath, "a path pattern (a non-empty string)"],
    ["rules", (v) => /^[a-z0-9][a-z0-9-]{0,63}$/.test(v), "a rule id such as openai-api-key"],
    ["secrets", (v) => isValidName(v), "a secret name"],
  ];
  for (const [key, valid, what] of lists) {
    if (!(key in raw.allow)) continue;
    const value = raw.allow[key];
    const at: ConfigPath = ["scan", "allow", key];
    if (!Array.isArray(value)) {
      add(at, `expected a list, got ${kindOf(value)}.`);
      continue;
    }
    value.forEach((item: unknown, i) => {
      if (typeof item !== "string" || !valid(item)) add([...at, i], `expected ${what}, got ${typeof item === "string" ? "another string" : kindOf(item)}.`);
    });
    allow[key] = value.filter((v: unknown): v is string => typeof v === "string");
  }
  return { allow };
}

function checkEnvironments(raw: unknown, add: Add): string[] | undefined {
  if (!Array.isArray(raw) || raw.length === 0) {
    add(["environments"], `expected a non-empty list of environment names, got ${kindOf(raw)}.`);
    return undefined;
  }
  const out: string[] = [];
  raw.forEach((item: unknown, i) => {
    const name = checkEnvironment(item, ["environments", i], add);
    if (name === undefined) return;
    if (out.includes(name)) add(["environments", i], `"${name}" is listed twice.`);
    else out.push(name);
  });
  return out;
}

/** A key as shown in a path: as is when it is a plain word, else only its length. */
function safeKey(key: string): string {
  if (/^[A-Za-z0-9_.-]{1,64}$/.test(key) && !tokenShaped(key)) return JSON.stringify(key);
  return `<a key of ${key.length} characters>`;
}
