// Builds dist/: the library (dist/index.js), the CLI (dist/cli.js, one start-up chunk plus
// lazily loaded command chunks) and `hush/config` (dist/config.js). Types come from `tsc`
// only when asked (`--types`), so `npm install` stays fast.
import { build } from "esbuild";
import { chmodSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";

// Heavy or optional packages stay outside the bundle and are imported lazily at run time.
const external = ["pg", "pg-native", "@aws-sdk/*", "@google-cloud/*", "@kubernetes/*", "openai", "@anthropic-ai/sdk", "@inquirer/*"];

rmSync("dist", { recursive: true, force: true });
await build({
  entryPoints: { index: "src/index.ts", cli: "src/cli/main.ts", config: "src/config-register.ts" },
  outdir: "dist",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: false,
  external,
  chunkNames: "chunks/[name]-[hash]",
  banner: { js: "import { createRequire as __hushCreateRequire } from 'node:module'; const require = __hushCreateRequire(import.meta.url);" },
  logLevel: "warning",
});
chmodSync("dist/cli.js", 0o755);
if (process.argv.includes("--types")) {
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
}
