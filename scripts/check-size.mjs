// Lists files in src/ over 300 lines and functions over 80 lines (AGENTS.md: small files,
// small functions). Exit 1 when any is found that ALLOWED does not list with its reason.
// Used by test/meta/size.test.ts; run by hand with `node scripts/check-size.mjs`.
import ts from "typescript";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const MAX_FILE_LINES = 300;
const MAX_FUNCTION_LINES = 80;
/** `path` or `path#function` -> why it may stay over the limit. */
export const ALLOWED = {};

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
  process.exitCode = found.some((f) => !ALLOWED[f.where]) ? 1 : 0;
}
