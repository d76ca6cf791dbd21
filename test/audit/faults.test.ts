import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createAuditor } from "../../src/audit/auditor.js";
import { createStderrSink } from "../../src/audit/stderr-sink.js";
import { verifyAuditLog } from "../../src/audit/verify.js";
import { createSecretsManager } from "../../src/manager.js";
import { createEnvSource } from "../../src/sources/env.js";
import { createDotenvSource } from "../../src/sources/dotenv.js";
import { createLocalSource } from "../../src/sources/local.js";
import { CANARY, makeProject, type TempProject } from "./helpers.js";

let p: TempProject;
beforeEach(() => {
  p = makeProject();
});
afterEach(() => p.cleanup());

const NAMES = ["openai_api_key", "anthropic_api_key", "database_url", "stripe_secret", "ghost_key"];

describe("no value and no plain name in any audit record (FAULTS 21, 22)", () => {
  for (const mode of ["best-effort", "required"] as const) {
    it(`${mode}: reads, misses, writes, deletes and rollbacks leave only ids in the files`, async () => {
      writeFileSync(join(p.dir, ".env"), `ANTHROPIC_API_KEY=${CANARY}-dotenv\n`);
      const stderrLines: string[] = [];
      const auditor = createAuditor({ secretsDir: p.secretsDir, environment: "dev", mode, sinks: undefined, stderr: false, onWarning: (m) => stderrLines.push(m) });
      const debug = createAuditor({ environment: "dev", keys: p.keys, sinks: [createStderrSink({ stream: { write: (s: string) => stderrLines.push(s) } })] });
      const hush = createSecretsManager({
        cwd: p.dir,
        secretsDir: p.secretsDir,
        sources: [createEnvSource({ env: { OPENAI_API_KEY: `${CANARY}-env` } }), createDotenvSource({ cwd: p.dir }), createLocalSource({ secretsDir: p.secretsDir })],
        audit: auditor,
        onWarning: (m) => stderrLines.push(m),
      });
      hush.onAccess((e) => debug.record(e));
      expect(await hush.get("openai_api_key")).toBe(`${CANARY}-env`);
      expect(await hush.get("ANTHROPIC_API_KEY")).toBe(`${CANARY}-dotenv`);
      await hush.set("database_url", `${CANARY}-local-1`);
      await hush.set("database_url", `${CANARY}-local-2`);
      await hush.rollback("database_url", 1);
      expect(await hush.get("database_url")).toBe(`${CANARY}-local-1`);
      await hush.set("stripe_secret", `${CANARY}-stripe`);
      await hush.delete("stripe_secret");
      expect(await hush.get("ghost_key")).toBeUndefined();
      await hush.resolve(NAMES);
      await hush.dispose();
      await auditor.close();
      await debug.close();

      const files = readdirSync(p.secretsDir).filter((f) => f.startsWith("audit."));
      expect(files.sort()).toEqual(["audit.dev.head", "audit.dev.jsonl", "audit.dev.start"]);
      const log = readFileSync(p.logPath, "utf8");
      expect(log.split("\n").length).toBeGreaterThan(10);
      for (const f of files) {
        const text = readFileSync(join(p.secretsDir, f), "utf8");
        expect(text).not.toContain("canary");
        for (const n of NAMES) {
          expect(text.toLowerCase()).not.toContain(n);
          expect(text).not.toContain(n.toUpperCase());
        }
      }
      const actions = log.trim().split("\n").map((l) => JSON.parse(l)).map((r) => `${r.action}:${r.outcome}`);
      expect(actions).toEqual(expect.arrayContaining(["read:served", "read:missing", "write:served", "delete:served", "rollback:served"]));
      // The debug sink on stderr shows ids, not names, unless asked for names.
      const err = stderrLines.join("");
      expect(err).toContain("hush: audit:");
      expect(err).not.toContain("canary");
      for (const n of NAMES) expect(err).not.toContain(n);
      expect((await verifyAuditLog(p.logPath, { anchorKey: p.keys.anchorKey })).ok).toBe(true);
    });
  }
});
