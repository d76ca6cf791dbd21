import { describe, expect, it } from "vitest";
import { isPlaintextEnvFile } from "../../src/scan/env-files.js";

describe("isPlaintextEnvFile", () => {
  it("takes every file the dotenv source's layouts read, .local forms included, and no template", () => {
    for (const path of [".env", "app/.env.prod", ".env.local", "web/.env.production.local", ".env.development.local"]) expect(isPlaintextEnvFile(path), path).toBe(true);
    for (const path of [".env.example", "app/.env.sample", ".envrc", "env", ".env.example.local"]) expect(isPlaintextEnvFile(path), path).toBe(false);
  });
});
