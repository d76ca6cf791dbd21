import { describe, expect, it } from "vitest";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CANARY, expectNoCanary, hushIn, tempProject } from "../config/temp-project.js";

const YAML = `version: 1
secrets:
  openai_api_key:
    required: true
    type: llm-api-key
    description: OpenAI key used by the planner agent
    owner: platform-team
  slack_webhook: { type: generic, description: "posts alerts" }
`;

const EXPECTED = `# .env.example — written by \`hush env-example\`: names only, never values.
# Provide each through hush (\`hush set NAME\`), the environment or a .env file; \`hush check\` lists what is missing.

# OpenAI key used by the planner agent
# required · type: llm-api-key · owner: platform-team · rotate every 90 days
OPENAI_API_KEY=

# posts alerts
# optional · type: generic
SLACK_WEBHOOK=

# required
DATABASE_URL=

# required
STORED_ONLY=
`;

describe("hush env-example", () => {
  it("writes declared names with comments, then every name the chain lists; never a value", async () => {
    const dir = tempProject({ "hush.yaml": YAML, ".env": `DATABASE_URL=${CANARY}\nOPENAI_API_KEY=${CANARY}\n` });
    await hushIn(dir, ["init"]);
    await hushIn(dir, ["set", "stored_only"], { stdin: CANARY });
    const r = await hushIn(dir, ["env-example"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`wrote ${join(dir, ".env.example")} (4 names, no values)`);
    const text = readFileSync(join(dir, ".env.example"), "utf8");
    expect(text).toBe(EXPECTED);
    expect(text).not.toContain(CANARY);
    expect(statSync(join(dir, ".env.example")).mode & 0o777).toBe(0o644);
    expectNoCanary(r);
  });

  it("is idempotent, and keeps names already in the file (without their values)", async () => {
    const dir = tempProject({ "hush.yaml": YAML, ".env.example": `# optional\nLOG_LEVEL=debug\nEXTRA=${CANARY}\n` });
    await hushIn(dir, ["env-example"]);
    const first = readFileSync(join(dir, ".env.example"), "utf8");
    expect(first).toContain("# optional\nLOG_LEVEL=\n");
    expect(first).toContain("# required\nEXTRA=\n");
    expect(first).not.toContain(CANARY);
    const again = await hushIn(dir, ["env-example", "--json"]);
    expect(JSON.parse(again.stdout)).toMatchObject({ changed: false, names: ["OPENAI_API_KEY", "SLACK_WEBHOOK", "EXTRA", "LOG_LEVEL"] });
    expect(readFileSync(join(dir, ".env.example"), "utf8")).toBe(first);
  });

  it("--stdout prints the file and writes nothing; --output picks the path", async () => {
    const dir = tempProject({ "hush.yaml": YAML });
    const r = await hushIn(dir, ["env-example", "--stdout"]);
    expect(r.stdout).toContain("OPENAI_API_KEY=\n");
    expect(existsSync(join(dir, ".env.example"))).toBe(false);
    await hushIn(dir, ["env-example", "--output", "config/example.env"]).then((x) => expect(x.code).toBe(7));
    const ok = await hushIn(dir, ["env-example", "-o", "example.env"]);
    expect(ok.code).toBe(0);
    expect(readFileSync(join(dir, "example.env"), "utf8")).toContain("SLACK_WEBHOOK=\n");
  });

  it("what it writes is what `hush check` requires", async () => {
    const dir = tempProject({ "hush.yaml": YAML });
    await hushIn(dir, ["env-example"]);
    writeFileSync(join(dir, "hush.yaml"), "version: 1\n");
    const r = await hushIn(dir, ["check", "--json"]);
    expect(JSON.parse(r.stdout).missing.map((m: { envName: string }) => m.envName)).toEqual(["OPENAI_API_KEY"]);
  });

  it("a failing source is a clear error, not an empty file", async () => {
    const dir = tempProject({ "hush.yaml": YAML });
    await hushIn(dir, ["init"]);
    await hushIn(dir, ["set", "stored_only"], { stdin: CANARY });
    writeFileSync(join(dir, ".secrets", ".encryption.key"), "A".repeat(43) + "=");
    const r = await hushIn(dir, ["env-example"]);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain("hint:");
    expect(existsSync(join(dir, ".env.example"))).toBe(false);
    expectNoCanary(r);
  });
});
