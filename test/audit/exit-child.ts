/** Child process of the process.exit test: one uncached and `count` cached reads, then process.exit(0) with the roll-up pending. */
import { createAuditor } from "../../src/audit/auditor.js";
import { createEnvSource } from "../../src/sources/env.js";
import { createSecretsManager } from "../../src/manager.js";

const [secretsDir, mode, count] = process.argv.slice(2) as [string, "required" | "best-effort", string];
const auditor = createAuditor({ secretsDir, environment: "dev", mode });
const hush = createSecretsManager({ secretsDir, sources: [createEnvSource({ env: { SECRET_A: "canary-VALUE-7f3a9c1e-do-not-log" } })], cacheTtlMs: Infinity, audit: auditor });
for (let i = 0; i <= Number(count); i++) await hush.get("secret_a");
process.exit(0);
