import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { attachAudit } from "../../src/audit/attach.js";
import { createAuditor } from "../../src/audit/auditor.js";
import { createStderrSink } from "../../src/audit/stderr-sink.js";
import { createSecretsManager } from "../../src/manager.js";
import { createEnvSource } from "../../src/sources/env.js";
import { HushError } from "../../src/errors.js";
import { CANARY, event, makeProject, type TempProject } from "./helpers.js";

let p: TempProject;
beforeEach(() => {
  p = makeProject();
});
afterEach(() => p.cleanup());

describe("attachAudit and the stderr sink", () => {
  it("audits an existing manager through onAccess (best-effort only), and stops on close", async () => {
    const hush = createSecretsManager({ cwd: p.dir, secretsDir: p.secretsDir, sources: [createEnvSource({ env: { OPENAI_API_KEY: CANARY } })] });
    expect(() => attachAudit(hush, { mode: "required" } as never)).toThrow(HushError);
    const auditor = attachAudit(hush);
    await hush.get("openai_api_key");
    await hush.get("nothing_here");
    await auditor.close();
    await hush.get("openai_api_key");
    await hush.dispose();
    const lines = readFileSync(p.logPath, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((r) => r.outcome)).toEqual(["served", "missing"]);
    expect(lines[0].secretId).toBe(auditor.secretId("OPENAI_API_KEY"));
  });

  it("shows names on stderr only when asked", async () => {
    for (const names of [false, true]) {
      const out: string[] = [];
      const a = createAuditor({ environment: "dev", keys: p.keys, sinks: [createStderrSink({ names, stream: { write: (s: string) => out.push(s) } })] });
      a.record(event("openai_api_key", { outcome: "denied", errorCode: "ACCESS_DENIED", source: "vault", version: undefined }));
      await a.close();
      expect(out.join("")).toContain(names ? " read denied openai_api_key vault ACCESS_DENIED alice@box" : " read denied id:");
      if (!names) expect(out.join("")).not.toContain("openai");
    }
  });
});
