// Lists files in src/ over 300 lines and functions over 80 lines (AGENTS.md: small files,
// small functions). Exit 1 when any is found that ALLOWED does not list with its reason, or when
// an ALLOWED entry names no offender any more.
// Used by test/meta/size.test.ts; run by hand with `npm run check:size` (or `node scripts/check-size.mjs`).
// Types for the test: check-size.d.mts.
import ts from "typescript";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const MAX_FILE_LINES = 300;
export const MAX_FUNCTION_LINES = 80;
/**
 * `path` or `path#function` -> why it may stay over the limit. An entry that no longer names an
 * offender fails test/meta/size.test.ts, so the list only shrinks.
 */
export const ALLOWED = {
};

/** Every offender in `root` (the repository): { where, lines, limit }. */
export function findOversized(root) {
  const found = [];
  for (const file of walk(join(root, "src"))) {
    const text = readFileSync(file, "utf8");
    const rel = relative(root, file);
    const lines = text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
    if (lines > MAX_FILE_LINES) found.push({ where: rel, lines, limit: MAX_FILE_LINES });
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const visit = (node) => {
      if (ts.isFunctionLike(node) && node.body) {
        const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
        const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
        const n = end - start + 1;
        if (n > MAX_FUNCTION_LINES) found.push({ where: `${rel}#${functionName(node, sf)}`, lines: n, limit: MAX_FUNCTION_LINES });
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return found;
}

/** ALLOWED entries that name no offender in `found` any more (to be removed from the list). */
export function unusedAllowed(found) {
  const where = new Set(found.map((f) => f.where));
  return Object.keys(ALLOWED).filter((key) => !where.has(key));
}

// --- internal ---

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.name.endsWith(".ts")) yield path;
  }
}

function functionName(node, sf) {
  if (node.name) return node.name.getText(sf);
  const parent = node.parent;
  if (parent && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) && parent.name) return parent.name.getText(sf);
  return `<anonymous@${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}>`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const found = findOversized(root);
  for (const f of found) console.log(`${f.where}: ${f.lines} lines (limit ${f.limit})${ALLOWED[f.where] ? ` — allowed: ${ALLOWED[f.where]}` : ""}`);
  const unused = unusedAllowed(found);
  for (const key of unused) console.log(`${key}: within the limits now; remove it from ALLOWED in scripts/check-size.mjs`);
  const failed = found.some((f) => !ALLOWED[f.where]) || unused.length > 0;
  if (!failed) console.log(`check-size: no file in src/ over ${MAX_FILE_LINES} lines, no function over ${MAX_FUNCTION_LINES}${found.length ? ` but the ${found.length} allowed above` : ""}.`);
  process.exitCode = failed ? 1 : 0;
}
