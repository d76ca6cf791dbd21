// Builds dist/: the library (dist/index.js), `hush/config` (dist/config.js) and the CLI:
// dist/cli.js (a few hundred bytes that pick the bundle to load), dist/cli-run.js (`hush run`
// in one file) and dist/run-cli.js (every other command, with lazily loaded chunks). Types
// come from `tsc` only when asked (`--types`), so `npm install` stays fast.
import { build } from "esbuild";
import { chmodSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";

// Heavy or optional packages stay outside the bundle and are imported lazily at run time.
const external = ["pg", "pg-native", "@aws-sdk/*", "@google-cloud/*", "@kubernetes/*", "openai", "@anthropic-ai/sdk", "@inquirer/*"];

// Whitespace and syntax are minified (less to parse at every start); names are kept so
// `--debug` stacks stay readable.
const minify = { minifyWhitespace: true, minifySyntax: true };
const banner = { js: "import { createRequire as __hushCreateRequire } from 'node:module'; const require = __hushCreateRequire(import.meta.url);" };

rmSync("dist", { recursive: true, force: true });
await build({
  entryPoints: { index: "src/index.ts", "run-cli": "src/cli/run-cli.ts", config: "src/config-register.ts" },
  outdir: "dist",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: false,
  external,
  chunkNames: "chunks/[name]-[hash]",
  banner,
  ...minify,
  logLevel: "warning",
});
// The entry point on its own, importing no chunk: it only reads argv and loads one bundle.
await build({
  entryPoints: { cli: "src/cli/main.ts" },
  outdir: "dist",
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: ["./cli-run.js", "./run-cli.js"],
  ...minify,
  logLevel: "warning",
});
// `hush run`, the main job, as one file: one module to load instead of a score of chunks. Its
// small lazy imports (the Python layout, format checks) are inlined; yaml, needed only when
// hush.yaml has content, is imported from its own one-file bundle, dist/vendor/yaml.js.
await build({
  entryPoints: { "cli-run": "src/cli/cli-run.ts" },
  outdir: "dist",
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: [...external, "./run-cli.js"],
  plugins: [{ name: "vendor-yaml", setup: (b) => b.onResolve({ filter: /^yaml$/ }, () => ({ path: "./vendor/yaml.js", external: true })) }],
  banner,
  ...minify,
  logLevel: "warning",
});
await build({
  entryPoints: { yaml: "node_modules/yaml/dist/index.js" },
  outdir: "dist/vendor",
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  banner,
  ...minify,
  logLevel: "warning",
});
chmodSync("dist/cli.js", 0o755);
if (process.argv.includes("--types")) {
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
}
