/** Vault Agent's rendered `export K="v"` files (docs/vault.md) are read by the dotenv source as they are. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createDotenvSource } from "../../../src/sources/dotenv.js";

describe("Vault Agent templates through the dotenv source", () => {
  it("reads `export NAME=\"value\"` lines as Vault Agent renders them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hush-agent-"));
    try {
      const file = join(dir, "agent.env");
      writeFileSync(file, 'export OPENAI_API_KEY="sk-proj-agent-CANARY"\nexport DATABASE_URL="postgres://app@db/prod"\n', { mode: 0o600 });
      const source = createDotenvSource({ cwd: dir, files: [file] });
      expect((await source.get("openai_api_key"))?.value).toBe("sk-proj-agent-CANARY");
      expect((await source.get("database_url"))?.value).toBe("postgres://app@db/prod");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
