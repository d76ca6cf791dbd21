/**
 * The vitest config of the meta-tests' own runs of the conformance suites
 * (test/sources/conformance.meta.test.ts, test/sources/staging-conformance.meta.test.ts): no
 * global setup (the suites need no dist/), one worker (it runs beside the main run), and its
 * cache in the meta-test's temp folder.
 */
import { defineConfig } from "vitest/config";

export default defineConfig({
  cacheDir: process.env.HUSH_CONFORMANCE_RUN_DIR,
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/*.meta.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    maxWorkers: 1,
  },
});
