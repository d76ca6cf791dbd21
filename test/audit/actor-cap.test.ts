// A library caller's actor override is written as given but capped: a record stays far below
// the audit readers' 4 MiB line limit (test/audit/long-lines.test.ts), so report and review
// cannot be broken by a long command line.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { attachAudit } from "../../src/audit/attach.js";
import { MAX_ACTOR_FIELD } from "../../src/manager-access.js";
import { createSecretsManager } from "../../src/manager.js";
import { createEnvSource } from "../../src/sources/env.js";
import { CANARY, makeProject, type TempProject } from "./helpers.js";

let p: TempProject;
beforeEach(() => {
  p = makeProject();
});
afterEach(() => p.cleanup());

describe("the audit actor", () => {
  it("keeps at most MAX_ACTOR_FIELD characters of a user, host or command", async () => {
    const long = (c: string) => c.repeat(5 * 1024 * 1024);
    const actor = { user: long("u"), host: long("h"), command: `node ${long("x")}.js` };
    const hush = createSecretsManager({ cwd: p.dir, secretsDir: p.secretsDir, actor, sources: [createEnvSource({ env: { OPENAI_API_KEY: CANARY } })] });
    const auditor = attachAudit(hush);
    await hush.get("openai_api_key");
    await auditor.close();
    await hush.dispose();
    const text = readFileSync(p.logPath, "utf8");
    expect(text.length).toBeLessThan(8 * 1024);
    expect(text).not.toContain(CANARY);
    const record = JSON.parse(text.trim()) as { actor: { user: string; host: string; command: string } };
    for (const field of [record.actor.user, record.actor.host, record.actor.command]) expect(field.length).toBe(MAX_ACTOR_FIELD);
    expect(record.actor.command.startsWith("node xxx")).toBe(true);
    expect(record.actor.command.endsWith("…")).toBe(true);
  });
});
