/**
 * Builds dist/ once before any test file runs: several test files spawn the real CLI or
 * `node --import dist/config.js`, and rebuilding per file would pull files from under another.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export default function setup(): void {
  execFileSync(process.execPath, ["scripts/build.mjs"], { cwd: fileURLToPath(new URL("../", import.meta.url)), stdio: "inherit" });
}
