import js from "@eslint/js";
import tseslint from "typescript-eslint";

/**
 * The CLI's only door into the library is the public entry, src/index.ts (issue 9): a file under
 * src/cli/ may import other files under src/cli/, `node:` built-ins, packages, and the public
 * entry, nothing else of src/. Relative paths depend on a file's depth, so one block per depth.
 */
function cliBoundary(depth) {
  const up = "\\.\\./".repeat(depth);
  // Leaves src/cli/ (depth `../`) and is not `<up>index.js`, or goes further up than src/.
  const escapes = `^${up}(?!index\\.js$)|^${up}\\.\\./`;
  const message = "src/cli/ imports the library only through its public entry (src/index.ts); export what the command needs from there.";
  return {
    files: [`src/cli/${"*/".repeat(depth - 1)}*.ts`],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ regex: escapes, message }] }],
      "no-restricted-syntax": ["error", { selector: `ImportExpression[source.value=/${escapes.replace(/\//g, "\\/")}/]`, message }],
    },
  };
}

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "bench/node_modules/**", "bench/.work/**", "bench/scan-corpus/**", "coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly", Buffer: "readonly", setTimeout: "readonly", clearTimeout: "readonly", setInterval: "readonly", clearInterval: "readonly", URL: "readonly", TextDecoder: "readonly", TextEncoder: "readonly", AbortController: "readonly", fetch: "readonly", performance: "readonly", queueMicrotask: "readonly", setImmediate: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_" }],
      "no-empty": ["error", { allowEmptyCatch: false }],
    },
  },
  cliBoundary(1),
  cliBoundary(2),
  cliBoundary(3),
);
