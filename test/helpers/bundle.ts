/**
 * Bundles a TypeScript entry into one ESM file with esbuild, so a test can run the real source
 * code in plain `node` child processes (no vitest in the child).
 */
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Bundles `entry` (relative to the repository root) to `<outDir>/<name>.mjs`; returns its path. */
export async function bundleForChild(entry: string, outDir: string, name: string): Promise<string> {
  const outfile = join(outDir, `${name}.mjs`);
  await build({ entryPoints: [join(REPO_ROOT, entry)], bundle: true, platform: "node", format: "esm", target: "node20", outfile, logLevel: "warning" });
  return outfile;
}
