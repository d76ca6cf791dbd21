/**
 * A `gcp` source on the fake Secret Manager, for the conformance suite and the gcp tests: the real
 * SDK in REST mode, real service-account credentials through GOOGLE_APPLICATION_CREDENTIALS (a
 * file written here, read by google-auth-library as Application Default Credentials).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createGcpSource, type GcpSourceOptions } from "../../src/sources/gcp.js";
import type { RemoteRef } from "../../src/config/types.js";
import type { SecretSource } from "../../src/types.js";
import { startGcpSecretManagerFake, type GcpSecretManagerFake } from "../fakes/gcp-secret-manager.js";

/** One fake and a credentials file, shared by the sources a test file makes. */
export interface GcpTestBed {
  fake: GcpSecretManagerFake;
  dir: string;
  env: NodeJS.ProcessEnv;
  /** A source on the fake with a fresh prefix (so instances do not see each other's secrets). */
  source(options?: Partial<GcpSourceOptions>, remoteRefs?: Record<string, RemoteRef>): { source: SecretSource; prefix: string };
  /** Warnings the sources gave (never values). */
  warnings: string[];
  close(): Promise<void>;
}

let counter = 0;

/** Starts the fake and writes the service-account file. */
export async function startGcpTestBed(): Promise<GcpTestBed> {
  const fake = await startGcpSecretManagerFake({ projectId: "hush-test" });
  const dir = mkdtempSync(join(tmpdir(), "hush-gcp-"));
  const credentials = join(dir, "service-account.json");
  writeFileSync(credentials, JSON.stringify(fake.account.json), { mode: 0o600 });
  const env = { GOOGLE_APPLICATION_CREDENTIALS: credentials };
  const warnings: string[] = [];
  return {
    fake,
    dir,
    env,
    warnings,
    source(options = {}, remoteRefs = {}) {
      const prefix = options.prefix ?? `t${++counter}-`;
      const context = { root: dir, secretsDir: join(dir, ".secrets"), environment: "dev", env, onWarning: (m: string) => warnings.push(m), remoteRefs };
      const source = createGcpSource({ project: "hush-test", endpoint: fake.url, timeoutMs: 1000, ...options, prefix }, context);
      return { source, prefix };
    },
    async close() {
      await fake.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
