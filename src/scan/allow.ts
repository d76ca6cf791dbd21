/**
 * Allow-lists: inline comments, `.hushignore` (gitignore syntax) and the config's lists.
 *
 * Inline: a line containing `hush:allow` or `hush-ignore` (or the common
 * `pragma: allowlist secret` and `gitleaks:allow`) reports nothing; `hush:allow-next-line`
 * silences the line after it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ignore from "ignore";

/** A gitignore-syntax matcher (the `ignore` package). */
export type Ignore = ReturnType<typeof ignore>;

const SAME_LINE = /hush:allow(?!-next-line)|hush-ignore|pragma: allowlist secret|gitleaks:allow/;
const NEXT_LINE = /hush:allow-next-line/;

/** True when a finding on `line` is silenced by an inline comment on it or just above it. */
export function isAllowedInline(line: string, previousLine: string | undefined): boolean {
  return SAME_LINE.test(line) || (previousLine !== undefined && NEXT_LINE.test(previousLine));
}

/** Creates a gitignore matcher (the `ignore` package) from pattern lines. */
export function createIgnore(patterns: Iterable<string> = []): Ignore {
  return ignore().add([...patterns]);
}

/**
 * Path matcher for `.hushignore` in `cwd` plus the config's `paths`, or undefined when
 * there is neither. Paths given to it are relative to `cwd`, with `/` separators.
 */
export function loadPathAllowList(cwd: string, configPaths: string[] = []): Ignore | undefined {
  const text = readIfExists(join(cwd, ".hushignore"));
  if (text === undefined && configPaths.length === 0) return undefined;
  const ig = createIgnore(configPaths);
  if (text !== undefined) ig.add(text);
  return ig;
}

/** The text of an ignore file, or undefined when there is none (or it cannot be read). */
export function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (_e) {
    // Absent or unreadable ignore files are treated as empty, as git does.
    return undefined;
  }
}
