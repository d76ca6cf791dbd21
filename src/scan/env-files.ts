/**
 * Staged plaintext env files: `.env` and `.env.<environment>`, which hush's dotenv source
 * reads, should never be committed (`hush init` git-ignores them). `scan --staged` reports one
 * as a finding of the rule `plaintext-env-file`, whatever it holds; templates such as
 * `.env.example` are left alone.
 */
import type { ScanFinding } from "./types.js";

/** The rule id of a staged plaintext env file (switch it off with `allow.rules`). */
export const ENV_FILE_RULE = "plaintext-env-file";

const TEMPLATES = new Set(["example", "sample", "template", "dist", "defaults", "schema"]);

/**
 * True for `.env`, `.env.<environment>` and their `.local` forms (`.env.local`,
 * `.env.production.local`: the dotenv source's nextjs and vite layouts read them), in any
 * folder; not for templates such as `.env.example`.
 */
export function isPlaintextEnvFile(path: string): boolean {
  const base = path.slice(path.lastIndexOf("/") + 1).replace(/\.local$/i, "");
  if (base === ".env") return true;
  const m = /^\.env\.([a-z0-9][a-z0-9_-]{0,31})$/i.exec(base);
  return m !== null && !TEMPLATES.has(m[1]!.toLowerCase());
}

/** The finding for a staged env file at `path`. */
export function envFileFinding(path: string): ScanFinding {
  return {
    kind: "pattern",
    path,
    line: 1,
    column: 1,
    ruleId: ENV_FILE_RULE,
    description: "Plaintext env file staged: hush's dotenv source reads it; keep it out of git (.gitignore: .env, .env.*)",
    preview: "(whole file)",
    origin: "staged",
  };
}
