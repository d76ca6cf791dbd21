import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runHush } from "../helpers/cli.js";
import { expectNoValue, fakeKey } from "../adapters/fake-keys.js";
import type { ProviderCheck } from "../../src/adapters/checks.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "hush-providers-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const baseEnv = () => ({ PATH: process.env.PATH, HOME: dir });

describe("hush providers", () => {
  it("--json lists every provider: found, name, source, preview and format, never a value", async () => {
    const openai = fakeKey.openaiProject();
    const grok = fakeKey.xai();
    const wrong = fakeKey.openaiLegacy(); // an OpenAI key filed under Anthropic
    const mistral = fakeKey.opaque();
    writeFileSync(join(dir, ".env"), `MISTRAL_API_KEY=${mistral}\n`, { mode: 0o600 });
    const r = await runHush(["providers", "--json", "-C", dir], { env: { ...baseEnv(), OPENAI_API_KEY: openai, GROK_API_KEY: grok, ANTHROPIC_API_KEY: wrong } });
    // No key yet (no `hush init`): the one line on stderr says the reads could not be audited.
    expect(r.stderr.replace(/^hush: warning: audit: \d+ access records were not written: no key file at .*\n/, "")).toBe("");
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as ProviderCheck[];
    const by = (id: string) => rows.find((x) => x.provider === id)!;
    expect(rows.map((x) => x.provider)).toContain("bedrock");
    expect(by("openai")).toMatchObject({ found: true, name: "openai_api_key", source: "env", preview: "sk-proj-…(164 chars)", format: "ok" });
    expect(by("xai")).toMatchObject({ found: true, name: "GROK_API_KEY", source: "env", preview: "xai-…(84 chars)", format: "ok" });
    expect(by("anthropic")).toMatchObject({ found: true, format: "mismatch", formatReason: "it looks like an OpenAI key, not an Anthropic key" });
    expect(by("mistral")).toMatchObject({ found: true, source: "dotenv", format: "unchecked", preview: `${mistral.slice(0, 4)}…(48 chars)` });
    expect(by("groq")).toMatchObject({ found: false, format: "missing", lookedFor: ["groq_api_key", "groq_key", "GROQ_API_KEY"] });
    expect(by("ollama")).toMatchObject({ found: false, keyRequired: false });
    for (const v of [openai, grok, wrong]) expectNoValue(r.stdout + r.stderr, v);
    expect(r.stdout + r.stderr).not.toContain(mistral);
  });

  it("prints a table on stdout and format and collision warnings on stderr, never a value", async () => {
    const a = fakeKey.groq(), b = fakeKey.groq(), bad = fakeKey.google();
    const r = await runHush(["providers", "-C", dir], { env: { ...baseEnv(), GROQ_API_KEY: a, GROQ_KEY: b, OPENROUTER_API_KEY: bad } });
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^PROVIDER\s+KEY\s+NAME\s+SOURCE\s+PREVIEW\s+FORMAT$/);
    expect(lines.find((l) => l.startsWith("groq "))).toMatch(/^groq\s+found\s+groq_api_key\s+env\s+gsk_…\(56 chars\)\s+ok$/);
    expect(lines.find((l) => l.startsWith("ollama "))).toMatch(/^ollama\s+not needed\s+-/);
    expect(lines.find((l) => l.startsWith("cohere "))).toMatch(/^cohere\s+missing\s+-/);
    expect(r.stderr).toContain('hush: warning: Groq: "groq_api_key" (env) and "groq_key" (env) hold different keys; using "groq_api_key", the first in lookup order.');
    expect(r.stderr).toContain("hush: warning: OpenRouter: the key under \"openrouter_api_key\" does not look like OpenRouter's format: it looks like a Google (Gemini) key, not an OpenRouter key.");
    for (const v of [a, b, bad]) expectNoValue(r.stdout + r.stderr, v);
  });

  it("is listed in the top-level help", async () => {
    const r = await runHush(["--help"]);
    expect(r.stdout).toMatch(/providers\s+list LLM providers/);
  });
});
