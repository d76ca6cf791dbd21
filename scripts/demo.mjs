// The main job, end to end, on the embedded default (the encrypted local store), in a fresh
// temp project: `hush init`, `hush set` from stdin, `hush list`, then `hush run` hands the
// secret to a child process. Run: npm run demo (after npm ci, which builds dist/).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";

const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const project = mkdtempSync(join(tmpdir(), "hush-demo-"));
const hush = (args, input) => {
  console.log(`$ hush ${args.join(" ")}${input === undefined ? "" : "   # value from stdin"}`);
  return execFileSync(process.execPath, [cli, ...args], { cwd: project, input, stdio: [input === undefined ? "inherit" : "pipe", "inherit", "inherit"] });
};
try {
  hush(["init"]);
  hush(["set", "openai_api_key"], `sk-proj-demo${randomBytes(24).toString("hex")}`);
  hush(["set", "database_url"], `postgres://agent:${randomBytes(12).toString("hex")}@127.0.0.1:5432/test`);
  hush(["list"]);
  hush(["run", "--", process.execPath, "-e", "const k = process.env.OPENAI_API_KEY; console.log(`agent.js sees OPENAI_API_KEY (${k.length} chars, starts ${k.slice(0, 8)}…) and DATABASE_URL=${process.env.DATABASE_URL ? 'set' : 'missing'}`)"]);
  const mode = (p) => (statSync(join(project, p)).mode & 0o777).toString(8);
  console.log(`\n.secrets/ is ${mode(".secrets")}, .secrets/.encryption.key is ${mode(".secrets/.encryption.key")}, .secrets/dev.store is ${mode(".secrets/dev.store")}; nothing plaintext on disk.`);
} finally {
  rmSync(project, { recursive: true, force: true });
}
