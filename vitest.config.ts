import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Crash and multi-process tests spawn many children; keep the 2-core machine responsive.
    maxWorkers: 2,
  },
});
