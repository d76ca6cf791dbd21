/** Shared set-up for the audit tests: a temp project with a key, events, canary values. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { createKeyFile } from "../../src/crypto/key-file.js";
import { loadAuditKeys, type AuditKeys } from "../../src/audit/secret-id.js";
import type { AccessEvent } from "../../src/types.js";

/** A value that must never appear in a log (FAULTS 22). */
export const CANARY = "canary-VALUE-7f3a9c1e-do-not-log";

export interface TempProject {
  dir: string;
  secretsDir: string;
  keys: AuditKeys;
  logPath: string;
  cleanup(): void;
}

/** A temp folder with `.secrets/` and a dev key. */
export function makeProject(environment = "dev"): TempProject {
  const dir = mkdtempSync(join(tmpdir(), "hush-audit-"));
  const secretsDir = join(dir, ".secrets");
  createKeyFile(secretsDir, environment);
  return {
    dir,
    secretsDir,
    keys: loadAuditKeys(secretsDir, environment),
    logPath: join(secretsDir, `audit.${environment}.jsonl`),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** An access event with sensible defaults. */
export function event(name: string, over: Partial<AccessEvent> = {}): AccessEvent {
  return {
    time: new Date("2026-03-01T10:00:00.000Z"),
    environment: "dev",
    name,
    action: "read",
    outcome: "served",
    source: "local",
    version: 1,
    actor: { user: "alice", host: "box", pid: 4242, command: "node agent.js" },
    ...over,
  };
}

/**
 * Builds test/audit/append-child.ts into the project (one file, so a child process loads it fast)
 * and returns a function that runs it: `count` records appended to `secretsDir` in `mode`,
 * resolving to the child's pid. Used by the multi-process audit tests.
 */
export async function appendChildRunner(p: TempProject): Promise<(mode: string, count: number) => Promise<number>> {
  const child = join(p.dir, "append-child.mjs");
  await build({ entryPoints: [fileURLToPath(new URL("./append-child.ts", import.meta.url))], outfile: child, bundle: true, format: "esm", platform: "node", target: "node20", logLevel: "warning" });
  return (mode, count) =>
    new Promise((resolve, reject) => {
      const c = spawn(process.execPath, [child, p.secretsDir, mode, String(count)], { stdio: ["ignore", "ignore", "pipe"] });
      let err = "";
      c.stderr.on("data", (d: Buffer) => (err += d.toString()));
      c.on("error", reject);
      c.on("exit", (code) => (code === 0 ? resolve(c.pid!) : reject(new Error(`child exited ${code}: ${err.slice(0, 500)}`))));
    });
}
