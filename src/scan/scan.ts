/**
 * `scan()`: the leak scanner's entry point. It gathers the texts (working tree, staged
 * index or git history), runs one compiled detector over each, places findings by line
 * and column, and drops what the allow-lists silence.
 */
import { resolve } from "node:path";
import { loadPathAllowList, isAllowedInline } from "./allow.js";
import { createDetector, type TextFinding } from "./detect.js";
import { historyTexts, stagedTexts, type GitText } from "./git.js";
import { managedEntries } from "./managed.js";
import { createBoundedReader, tooLarge } from "./read.js";
import { PATTERN_RULES } from "./rules.js";
import { decodeText, LineIndex } from "./text.js";
import { toRel, walkFiles } from "./walk.js";
import type { ScanFinding, ScanOptions, ScanReadFile, ScanResult } from "./types.js";

const DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024;

/**
 * Scans files (or the git index, or git history) for managed values and known secret
 * formats. Unreadable files become `issues`; findings carry masked previews only.
 *
 * @example
 * const { findings } = await scan({ paths: ["src"], managedValues: { openai_api_key: key } });
 * for (const f of findings) console.log(`${f.path}:${f.line}:${f.column} ${f.ruleId ?? f.secretName}`);
 */
export async function scan(options: ScanOptions = {}): Promise<ScanResult> {
  const started = performance.now();
  const cwd = resolve(options.cwd ?? process.cwd());
  const allow = options.allow ?? {};
  const skipSecrets = new Set(allow.secrets ?? []);
  const offRules = new Set(allow.rules ?? []);
  const detector = createDetector({
    managedValues: managedEntries(options.managedValues).filter(([name]) => !skipSecrets.has(name)),
    rules: options.patterns === false ? [] : PATTERN_RULES.filter((r) => !offRules.has(r.id)),
    allowValues: allow.values ?? [],
  });
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const readFile = options.readFile ?? createBoundedReader(maxBytes);
  const result: ScanResult = {
    findings: [],
    issues: [],
    stats: { files: 0, bytes: 0, skippedBinary: 0, skippedIgnored: 0, skippedSymlinks: 0, durationMs: 0 },
  };
  const origin: ScanFinding["origin"] = options.gitHistory ? "history" : options.staged ? "staged" : "file";
  const inputs = collectInputs(options, cwd, origin, result);

  let lastReport = 0;
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i]!;
    if (options.onProgress && (i - lastReport >= 256 || i === inputs.length - 1)) {
      lastReport = i;
      options.onProgress({ filesDone: i + 1, filesTotal: inputs.length, bytesDone: result.stats.bytes });
    }
    const buf = await readInput(input, readFile, maxBytes, result);
    if (buf === undefined) continue;
    const text = decodeText(buf);
    if (text === undefined) {
      result.stats.skippedBinary++;
      continue;
    }
    result.stats.files++;
    result.stats.bytes += buf.length;
    const found = detector.detect(text);
    if (found.length > 0) placeFindings(found, text, input, origin, result.findings);
  }
  result.stats.durationMs = Math.round(performance.now() - started);
  return result;
}

// --- internal ---

/** One text to scan: a file of the tree (read later), or a blob of the git index or history. */
interface ScanInput {
  path: string;
  absolute: string;
  size: number;
  git?: GitText;
}

/** The texts to scan; walk issues and skip counts go into `result`. */
function collectInputs(options: ScanOptions, cwd: string, origin: ScanFinding["origin"], result: ScanResult): ScanInput[] {
  const pathAllow = loadPathAllowList(cwd, options.allow?.paths ?? []);
  const inputs: ScanInput[] = [];
  if (origin === "file") {
    const walked = walkFiles({ cwd, roots: options.paths?.length ? options.paths : ["."], gitignore: options.gitignore ?? true, pathAllow });
    result.issues.push(...walked.issues);
    result.stats.skippedIgnored = walked.skippedIgnored;
    result.stats.skippedSymlinks = walked.skippedSymlinks;
    for (const f of walked.files) inputs.push({ path: f.path, absolute: f.absolute, size: f.size });
    return inputs;
  }
  const texts = origin === "history" ? historyTexts(cwd, options.since) : stagedTexts(cwd);
  for (const t of texts) {
    const path = toRel(cwd, t.absolute);
    if (pathAllow && !path.startsWith("../") && pathAllow.ignores(path)) {
      result.stats.skippedIgnored++;
      continue;
    }
    inputs.push({ path, absolute: t.absolute, size: t.content.length, git: t });
  }
  return inputs;
}

/** The input's bytes, or undefined after recording why it was skipped (too large, unreadable). */
async function readInput(input: ScanInput, readFile: ScanReadFile, maxBytes: number, result: ScanResult): Promise<Buffer | undefined> {
  try {
    if (input.size > maxBytes) throw tooLarge();
    let buf: Buffer;
    if (input.git) buf = input.git.content;
    else {
      const r = readFile(input.absolute);
      buf = r instanceof Promise ? await r : r;
    }
    if (buf.length > maxBytes) throw tooLarge();
    return buf;
  } catch (e) {
    const code = typeof (e as { code?: unknown })?.code === "string" ? (e as { code: string }).code : "UNKNOWN";
    const message = code === "TOO_LARGE" ? `larger than ${maxBytes} bytes; skipped` : `could not be read (${code}); skipped`;
    result.issues.push({ path: input.path, code, message });
    return undefined;
  }
}

/** Places detections by line and column (git line numbers when mapped), minus inline allows, into `findings`. */
function placeFindings(found: readonly TextFinding[], text: string, input: ScanInput, origin: ScanFinding["origin"], findings: ScanFinding[]): void {
  const lines = new LineIndex(text);
  for (const f of found) {
    const { line, column } = lines.locate(f.offset);
    if (isAllowedInline(lines.lineText(line) ?? "", line > 1 ? lines.lineText(line - 1) : undefined)) continue;
    const finding: ScanFinding = { kind: f.kind, path: input.path, line: input.git?.lineNumbers?.[line - 1] ?? line, column, description: f.description, preview: f.preview, origin };
    if (f.ruleId !== undefined) finding.ruleId = f.ruleId;
    if (f.secretName !== undefined) finding.secretName = f.secretName;
    if (f.encoding !== undefined) finding.encoding = f.encoding;
    if (input.git?.commit !== undefined) finding.commit = input.git.commit;
    findings.push(finding);
  }
}
