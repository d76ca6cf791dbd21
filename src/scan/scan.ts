/**
 * `scan()`: the leak scanner's entry point. It gathers the texts (working tree, staged
 * index or git history), runs one compiled detector over each, places findings by line
 * and column, and drops what the allow-lists silence.
 */
import { createReadStream } from "node:fs";
import { resolve } from "node:path";
import { loadPathAllowList, isAllowedInline } from "./allow.js";
import { envFileFinding, ENV_FILE_RULE, isPlaintextEnvFile } from "./env-files.js";
import { createDetector, type Detector, type ManagedOwner, type TextFinding } from "./detect.js";
import { historyTexts, stagedTexts, type GitText } from "./git.js";
import { managedEntries } from "./managed.js";
import { createBoundedReader } from "./read.js";
import { PATTERN_RULES } from "./rules.js";
import { pathRuleFinding, type PathRule } from "./path-rules.js";
import { scopeApplies, type TextOrigin } from "./rule-scope.js";
import { decodeTextKeepingBytes, LineIndex } from "./text.js";
import { toRel, walkFiles } from "./walk.js";
import { findingSeverity } from "./severity.js";
import { fingerprintOf, fingerprintRule, secretDigest } from "./baseline.js";
import { scanWindows, WINDOW_BYTES, type PlacedFinding } from "./windows.js";
import type { ScanFinding, ScanOptions, ScanResult } from "./types.js";

/**
 * Scans files (or the git index, or git history, or stdin as the path `-`) for managed values
 * and known secret formats. A file larger than a window is scanned in overlapping windows.
 * What could not be scanned (unreadable, missing, too large) becomes `issues`; findings carry
 * masked previews only.
 *
 * @example
 * const { findings } = await scan({ paths: ["src"], managedValues: { openai_api_key: key } });
 * for (const f of findings) console.log(`${f.path}:${f.line}:${f.column} ${f.ruleId ?? f.secretName}`);
 */
export async function scan(options: ScanOptions = {}): Promise<ScanResult> {
  const started = performance.now();
  const cwd = resolve(options.cwd ?? process.cwd());
  const allow = options.allow ?? {};
  const offRules = new Set(allow.rules ?? []);
  const only = options.onlyRules ? new Set(options.onlyRules) : undefined;
  const wanted = (r: { id: string }) => !offRules.has(r.id) && (!only || only.has(r.id));
  const rules = options.patterns === false ? [] : (options.rules ?? PATTERN_RULES).filter(wanted);
  const pathRules = options.patterns === false ? [] : (options.pathRules ?? []).filter(wanted);
  const { entries, owners } = managedOf(options);
  const inner = createDetector({
    // The values themselves: the detector indexes their forms without writing them out.
    managedValues: entries,
    owners,
    rules,
    allowValues: allow.values ?? [],
  });
  const detector = options.fingerprintSalt ? digesting(inner, options.fingerprintSalt) : inner;
  const result: ScanResult = {
    findings: [],
    issues: [],
    stats: { files: 0, bytes: 0, skippedBinary: 0, skippedIgnored: 0, skippedSymlinks: 0, durationMs: 0 },
  };
  const origin: ScanFinding["origin"] = options.gitHistory ? "history" : options.staged ? "staged" : "file";
  const inputs = collectInputs(options, cwd, origin, result);
  const ctx: InputContext = { detector, origin, result, options, pathRules, readWhole: options.readFile ?? createBoundedReader(WINDOW_BYTES) };

  let lastReport = 0;
  for (let i = 0; i < inputs.length; i++) {
    if (options.onProgress && (i - lastReport >= 256 || i === inputs.length - 1)) {
      lastReport = i;
      options.onProgress({ filesDone: i + 1, filesTotal: inputs.length, bytesDone: result.stats.bytes });
    }
    if (!scanSmallFileNow(inputs[i]!, ctx)) await scanInput(inputs[i]!, ctx);
  }
  const all = [...(options.rules ?? PATTERN_RULES), ...(options.pathRules ?? [])];
  for (const f of result.findings) f.severity = findingSeverity(f, all);
  if (options.fingerprintSalt) addFingerprints(result.findings, options.fingerprintSalt);
  result.stats.durationMs = Math.round(performance.now() - started);
  return result;
}

// --- internal ---

/** One text to scan: a file of the tree (read later), a blob of the git index or history, or stdin. */
interface ScanInput {
  path: string;
  absolute: string;
  size: number;
  git?: GitText;
  stdin?: AsyncIterable<Buffer | string>;
}

interface InputContext {
  detector: Detector;
  origin: ScanFinding["origin"];
  result: ScanResult;
  options: ScanOptions;
  pathRules: readonly PathRule[];
  readWhole: NonNullable<ScanOptions["readFile"]>;
}

/**
 * The managed values as detector entries. With environments, each entry's name is a label
 * (`<index>`) that `owners` maps back to the secret and its environment; the secrets of
 * `allow.secrets` are left out.
 */
function managedOf(options: ScanOptions): { entries: [string, string][]; owners?: Map<string, ManagedOwner> } {
  const skip = new Set(options.allow?.secrets ?? []);
  const plain = managedEntries(options.managedValues).filter(([name]) => !skip.has(name));
  if (!options.managedEnvironments?.length) return { entries: plain };
  const owners = new Map<string, ManagedOwner>();
  const entries: [string, string][] = [];
  const add = (secretName: string, value: string, environment?: string) => {
    const label = String(owners.size);
    owners.set(label, environment === undefined ? { secretName } : { secretName, environment });
    entries.push([label, value]);
  };
  for (const [name, value] of plain) add(name, value);
  for (const { environment, values } of options.managedEnvironments) {
    for (const [name, value] of managedEntries(values)) if (!skip.has(name)) add(name, value, environment);
  }
  return { entries, owners };
}

/** The texts to scan; walk issues and skip counts go into `result`. */
function collectInputs(options: ScanOptions, cwd: string, origin: ScanFinding["origin"], result: ScanResult): ScanInput[] {
  const pathAllow = loadPathAllowList(cwd, options.allow?.paths ?? []);
  const inputs: ScanInput[] = [];
  if (origin === "file") {
    const roots = (options.paths ?? []).filter((p) => p !== "-");
    const withStdin = roots.length < (options.paths ?? []).length;
    if (roots.length > 0 || !withStdin) {
      const walked = walkFiles({ cwd, roots: roots.length > 0 ? roots : ["."], gitignore: options.gitignore ?? true, pathAllow });
      result.issues.push(...walked.issues);
      result.stats.skippedIgnored = walked.skippedIgnored;
      result.stats.skippedSymlinks = walked.skippedSymlinks;
      for (const f of walked.files) inputs.push({ path: f.path, absolute: f.absolute, size: f.size });
    }
    if (withStdin && options.stdin) inputs.push({ path: "-", absolute: "-", size: -1, stdin: options.stdin });
    else if (withStdin) result.issues.push({ path: "-", code: "NO_INPUT", message: "no standard input was given to scan; skipped" });
    return inputs;
  }
  const texts = origin === "history" ? historyTexts(cwd, options.since) : stagedTexts(cwd);
  for (const t of texts) {
    const path = toRel(cwd, t.absolute);
    if (pathAllow && !path.startsWith("../") && pathAllow.ignores(path)) {
      result.stats.skippedIgnored++;
      continue;
    }
    const envRuleOn = !options.allow?.rules?.includes(ENV_FILE_RULE) && (!options.onlyRules || options.onlyRules.includes(ENV_FILE_RULE));
    if (origin === "staged" && isPlaintextEnvFile(path) && envRuleOn) result.findings.push(envFileFinding(path));
    inputs.push({ path, absolute: t.absolute, size: t.content.length, git: t });
  }
  return inputs;
}

/**
 * Scans one input: whole when it fits a window, else window by window (a file is then read
 * again as a stream). Why an input was not scanned (too large for `maxFileBytes`, unreadable)
 * goes into `issues`; binary inputs are counted.
 */
async function scanInput(input: ScanInput, ctx: InputContext): Promise<void> {
  const { result, options } = ctx;
  const maxBytes = options.maxFileBytes ?? Infinity;
  const where: TextOrigin = input.git?.commit === undefined ? { path: input.path } : { path: input.path, commit: input.git.commit };
  for (const rule of ctx.pathRules) if (scopeApplies(rule.scope, where)) result.findings.push(pathRuleFinding(rule, input.path, ctx.origin, input.git?.commit));
  const detector: Detector = { longestManaged: ctx.detector.longestManaged, detect: (text, _origin, bytes) => ctx.detector.detect(text, where, bytes) };
  try {
    if (input.size > maxBytes) throw Object.assign(new Error("file too large"), { code: "TOO_LARGE" });
    const source = input.stdin ?? input.git?.content ?? (await readWholeOrNot(input, ctx)) ?? createReadStream(input.absolute, { highWaterMark: 1 << 20 });
    if (Buffer.isBuffer(source) && source.length <= WINDOW_BYTES) return scanWhole(source, input, { ...ctx, detector });
    const done = await scanWindows(limited(Buffer.isBuffer(source) ? [source] : source, maxBytes), detector);
    if (done.binary) result.stats.skippedBinary++;
    else {
      result.stats.files++;
      result.stats.bytes += done.bytes;
      for (const p of done.findings) addFinding(p, input, ctx);
    }
  } catch (e) {
    result.issues.push(inputIssue(input, e, maxBytes));
  }
}

/** Why an input was not scanned, as an issue. */
function inputIssue(input: ScanInput, e: unknown, maxBytes: number): ScanResult["issues"][number] {
  const code = typeof (e as { code?: unknown })?.code === "string" ? (e as { code: string }).code : "UNKNOWN";
  const message = code === "TOO_LARGE" ? `larger than ${maxBytes} bytes; skipped` : `could not be read (${code}); skipped`;
  return { path: input.path, code, message };
}

/**
 * The common case without a promise per file: a file of the tree, read by the built-in reader,
 * that fits a window. False, having changed nothing, for anything else or any failure to read:
 * `scanInput` then does it all (reports the failure, streams a large file).
 */
function scanSmallFileNow(input: ScanInput, ctx: InputContext): boolean {
  if (input.git !== undefined || input.stdin !== undefined || ctx.options.readFile !== undefined) return false;
  if (input.size > (ctx.options.maxFileBytes ?? Infinity)) return false;
  let buf: Buffer;
  try {
    buf = ctx.readWhole(input.absolute) as Buffer;
  } catch (_e) {
    return false; // scanInput reads it again and says why it could not
  }
  if (buf.length > WINDOW_BYTES || buf.length > (ctx.options.maxFileBytes ?? Infinity)) return false;
  const where: TextOrigin = { path: input.path };
  for (const rule of ctx.pathRules) if (scopeApplies(rule.scope, where)) ctx.result.findings.push(pathRuleFinding(rule, input.path, ctx.origin, undefined));
  try {
    scanWhole(buf, input, { ...ctx, detector: { longestManaged: ctx.detector.longestManaged, detect: (text, _origin, bytes) => ctx.detector.detect(text, where, bytes) } });
  } catch (e) {
    ctx.result.issues.push(inputIssue(input, e, ctx.options.maxFileBytes ?? Infinity));
  }
  return true;
}

/** The file's bytes when it fits a window; undefined when it is larger (it is then streamed). */
async function readWholeOrNot(input: ScanInput, ctx: InputContext): Promise<Buffer | undefined> {
  try {
    const r = ctx.readWhole(input.absolute);
    return r instanceof Promise ? await r : r;
  } catch (e) {
    if ((e as { code?: unknown })?.code === "TOO_LARGE" && ctx.options.readFile === undefined) return undefined;
    throw e;
  }
}

function scanWhole(buf: Buffer, input: ScanInput, ctx: InputContext): void {
  const decoded = decodeTextKeepingBytes(buf);
  if (decoded === undefined) {
    ctx.result.stats.skippedBinary++;
    return;
  }
  const { text, bytes } = decoded;
  ctx.result.stats.files++;
  ctx.result.stats.bytes += buf.length;
  const found = ctx.detector.detect(text, undefined, bytes);
  if (found.length > 0) placeFindings(found, text, input, ctx.origin, ctx.result.findings);
}

/** Passes the chunks on, failing with TOO_LARGE past `max` bytes (a file that grew, or stdin). */
async function* limited(chunks: AsyncIterable<Buffer | string> | Iterable<Buffer>, max: number): AsyncIterable<Buffer | string> {
  let n = 0;
  for await (const c of chunks) {
    n += c.length;
    if (n > max) throw Object.assign(new Error("too large"), { code: "TOO_LARGE" });
    yield c;
  }
}

function addFinding(p: PlacedFinding, input: ScanInput, ctx: InputContext): void {
  if (isAllowedInline(p.lineText, p.previousLine)) return;
  ctx.result.findings.push(toFinding(p.finding, input, ctx.origin, p.line, p.column));
}

/** Places detections by line and column (git line numbers when mapped), minus inline allows, into `findings`. */
function placeFindings(found: readonly TextFinding[], text: string, input: ScanInput, origin: ScanFinding["origin"], findings: ScanFinding[]): void {
  const lines = new LineIndex(text);
  for (const f of found) {
    const { line, column } = lines.locate(f.offset);
    if (isAllowedInline(lines.lineText(line) ?? "", line > 1 ? lines.lineText(line - 1) : undefined)) continue;
    findings.push(toFinding(f, input, origin, line, column));
  }
}

function toFinding(f: TextFinding, input: ScanInput, origin: ScanFinding["origin"], line: number, column: number): ScanFinding {
  const finding: ScanFinding = { kind: f.kind, path: input.path, line: input.git?.lineNumbers?.[line - 1] ?? line, column, description: f.description, preview: f.preview, origin };
  if (f.ruleId !== undefined) finding.ruleId = f.ruleId;
  if (f.secretName !== undefined) finding.secretName = f.secretName;
  if (f.environment !== undefined) finding.environment = f.environment;
  if (f.encoding !== undefined) finding.encoding = f.encoding;
  if (input.git?.commit !== undefined) finding.commit = input.git.commit;
  const digest = (f as DigestedFinding).digest;
  if (digest !== undefined) Object.defineProperty(finding, DIGEST, { value: digest, enumerable: false });
  return finding;
}

/** A detection with the keyed digest of its matched text (baseline.ts), added when fingerprints are asked for. */
type DigestedFinding = TextFinding & { digest?: string };

/** Where a finding keeps its secret digest until its fingerprint is made (not enumerable: never output). */
const DIGEST = Symbol("secretDigest");

/** The detector, with each detection's matched text replaced by its keyed digest right away. */
function digesting(inner: Detector, salt: Buffer): Detector {
  return {
    longestManaged: inner.longestManaged,
    detect(text: string, origin?: TextOrigin, bytes?: Uint8Array) {
      return inner.detect(text, origin, bytes).map((f): DigestedFinding => ({ ...f, digest: secretDigest(salt, text.slice(f.offset, f.offset + f.length)) }));
    },
  };
}

/** Gives every finding its fingerprint (a finding with no matched text, a staged env file, hashes the empty text). */
function addFingerprints(findings: ScanFinding[], salt: Buffer): void {
  for (const f of findings) {
    const digest = (f as unknown as Record<symbol, string | undefined>)[DIGEST] ?? secretDigest(salt, "");
    f.fingerprint = fingerprintOf(salt, fingerprintRule(f), f.path, digest);
  }
}
