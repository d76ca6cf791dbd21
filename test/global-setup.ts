/**
 * Builds dist/ once before any test file runs: several test files spawn the real CLI or
 * `node --import dist/config.js`, and rebuilding per file would pull files from under another.
 *
 * Also points XDG_CONFIG_HOME at a temp folder for the whole run (workers and the CLIs they
 * spawn inherit it; test/helpers/cli.ts passes it on): `hush init` keeps a new project's key in
 * the user's config folder (the `user` key provider), and tests must not write into the real one.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export default function setup(): () => void {
  execFileSync(process.execPath, ["scripts/build.mjs"], { cwd: fileURLToPath(new URL("../", import.meta.url)), stdio: "inherit" });
  const config = mkdtempSync(join(tmpdir(), "hush-test-config-"));
  process.env.XDG_CONFIG_HOME = config;
  return () => rmSync(config, { recursive: true, force: true });
}
