/**
 * Finding and reading a gitleaks configuration: `--config FILE`, or `.gitleaks.toml` at the
 * repository's top (git's top level, else the scan's folder). TOML is parsed by `smol-toml`,
 * loaded only here (a lazy chunk of the CLI); its messages quote the input, so only the line and
 * column are passed on. `[extend] path` is followed (relative to the scan's folder, as gitleaks
 * takes it relative to where it runs) to a depth of 2, as gitleaks does.
 */
import { execFileSync } from "node:child_process";
import { join, resolve } from "node:path";
import { HushError } from "../../errors.js";
import { readTrustedFile } from "../../fs/read-trusted-file.js";
import { compileGitleaks, type CompiledGitleaks, type MergedGitleaks } from "./compile.js";
import { checkGitleaksSpec, type GitleaksRuleSpec, type GitleaksSpec, type Problem } from "./schema.js";

/** The file name gitleaks looks for. */
export const GITLEAKS_FILE = ".gitleaks.toml";

/** A loaded gitleaks file: its rules, and where it was. */
export interface LoadedGitleaks extends CompiledGitleaks {
  /** The file's absolute path. */
  path: string;
  title?: string;
}

/** The `.gitleaks.toml` at the repository's top (else in `cwd`), or undefined when there is none. */
export function findGitleaksConfig(cwd: string): string | undefined {
  let top = cwd;
  try {
    top = execFileSync("git", ["rev-parse", "--show-toplevel"], { cwd, stdio: ["ignore", "pipe", "ignore"] }).toString("utf8").trim() || cwd;
  } catch (_e) {
    // Not a git repository (or no git): the scan's folder is the top.
  }
  const candidate = join(top, GITLEAKS_FILE);
  return readTrustedFile(candidate, { maxBytes: MAX_BYTES, what: "the gitleaks config" }) === undefined ? undefined : candidate;
}

/**
 * Reads, checks and compiles a gitleaks file. Every problem (unsupported field, untranslatable
 * regex, TOML syntax) is listed in one CONFIG_INVALID error naming the file; a missing file is
 * READ_FAILED.
 */
export async function loadGitleaksConfig(file: string, cwd: string, warn: (message: string) => void = () => undefined): Promise<LoadedGitleaks> {
  const path = resolve(cwd, file);
  // Every problem of the file at once: its fields', then its rules' (regexes, ids).
  const { spec, problems } = await readSpec(path, true);
  // A file with problems of its own is compiled alone (its rules' problems are listed too), not extended.
  const merged = problems.length > 0 ? await mergeExtends({ ...spec, extend: { useDefault: spec.extend?.useDefault === true, disabledRules: [] } }, path, cwd, 0) : await mergeExtends(spec, path, cwd, 0);
  const compiled = compileGitleaks(merged, problems, warn);
  if (problems.length > 0) throw invalid(path, problems);
  return { ...compiled, path, ...(spec.title !== undefined ? { title: spec.title } : {}) };
}

// --- internal ---

/** gitleaks' default config is ~100 KB; ten times that is not a config. */
const MAX_BYTES = 1024 * 1024;
/** As gitleaks: a file, the file it extends, and the one that extends (no further). */
const MAX_EXTEND_DEPTH = 2;

/** The file's spec and problems; with `partial` false, its problems throw (a file it extends). */
async function readSpec(path: string, partial = false): Promise<{ spec: GitleaksSpec; problems: Problem[] }> {
  const bytes = readTrustedFile(path, { maxBytes: MAX_BYTES, what: "the gitleaks config" });
  if (bytes === undefined) throw new HushError("READ_FAILED", `The gitleaks config ${path} does not exist.`, { hint: "Check the path given to --config (or [extend] path)." });
  const checked = checkGitleaksSpec(await parseToml(bytes.toString("utf8"), path));
  if (!partial && checked.problems.length > 0) throw invalid(path, checked.problems);
  return checked;
}

async function parseToml(text: string, path: string): Promise<Record<string, unknown>> {
  const { parse } = await import("smol-toml");
  try {
    return parse(text) as Record<string, unknown>;
  } catch (e) {
    // The parser's message quotes the offending lines: only where it is goes on.
    const { line, column } = (e ?? {}) as { line?: unknown; column?: unknown };
    const where = typeof line === "number" ? ` at line ${line}${typeof column === "number" ? `, column ${column}` : ""}` : "";
    throw new HushError("CONFIG_INVALID", `The gitleaks config ${path} is not valid TOML${where}.`, { hint: "Fix the TOML syntax there; `gitleaks` would refuse the file too." });
  }
}

/** The file with what it extends merged in, as gitleaks' Config.extend does. */
async function mergeExtends(spec: GitleaksSpec, path: string, cwd: string, depth: number): Promise<MergedGitleaks> {
  // The last file of the chain extends nothing, not even the default (gitleaks ignores its [extend]).
  const extend = depth < MAX_EXTEND_DEPTH ? spec.extend : undefined;
  const own: MergedGitleaks = { useDefault: extend?.useDefault ?? false, disabledDefaults: [], rules: spec.rules, allowlists: spec.allowlists };
  if (own.useDefault) own.disabledDefaults = extend?.disabledRules ?? [];
  const basePath = extend?.path;
  if (basePath === undefined) return own;
  const target = resolve(cwd, basePath);
  if (target === path) throw invalid(path, ["extend.path: the file extends itself."]);
  const base = await mergeExtends((await readSpec(target)).spec, target, cwd, depth + 1);
  const disabled = new Set(spec.extend?.disabledRules ?? []);
  const rules = [...own.rules];
  for (const b of base.rules) {
    if (disabled.has(b.id)) continue;
    const i = rules.findIndex((r) => r.id === b.id);
    if (i === -1) rules.push(b);
    else rules[i] = mergeRule(b, rules[i]!);
  }
  return { useDefault: base.useDefault, disabledDefaults: base.disabledDefaults, rules, allowlists: [...own.allowlists, ...base.allowlists] };
}

/** gitleaks' merge: the extending rule's set fields win; tags, keywords and allowlists add up. */
function mergeRule(base: GitleaksRuleSpec, over: GitleaksRuleSpec): GitleaksRuleSpec {
  const out: GitleaksRuleSpec = { ...base, at: over.at, allowlists: [...base.allowlists, ...over.allowlists] };
  for (const k of ["description", "regex", "path", "secretGroup", "entropy"] as const) if (over[k] !== undefined && over[k] !== 0 && over[k] !== "") (out as unknown as Record<string, unknown>)[k] = over[k];
  if (base.tags || over.tags) out.tags = [...(base.tags ?? []), ...(over.tags ?? [])];
  if (base.keywords || over.keywords) out.keywords = [...(base.keywords ?? []), ...(over.keywords ?? [])];
  return out;
}

function invalid(path: string, problems: readonly Problem[]): HushError {
  const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
  return new HushError("CONFIG_INVALID", `The gitleaks config ${path} is invalid (${count}):\n${problems.map((p) => `  - ${p}`).join("\n")}`, {
    hint: "Fix the fields named; docs/scan.md lists the gitleaks fields hush reads. --no-config scans without the file.",
  });
}
