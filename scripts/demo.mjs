// The main job, end to end, on the embedded default (the encrypted local store), in a fresh
// temp project: `hush init`, `hush set` from stdin, `hush list`, then `hush run` hands the
// secret to a child process. Run: npm run demo (after npm ci, which builds dist/).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";

const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const project = mkdtempSync(join(tmpdir(), "hush-demo-"));
const hush = (args, input) => {
  console.log(`$ hush ${args.join(" ")}${input === undefined ? "" : "   # value from stdin"}`);
  return execFileSync(process.execPath, [cli, ...args], { cwd: project, input, stdio: [input === undefined ? "inherit" : "pipe", "inherit", "inherit"] });
};
let keyFolder;
try {
  hush(["init"]);
  // A new project keeps its key outside the project folder (the `user` key provider, docs/keys.md).
  const id = /^project: (\S+)$/m.exec(readFileSync(join(project, "hush.yaml"), "utf8"))?.[1];
  const config = process.env.XDG_CONFIG_HOME?.startsWith("/") ? process.env.XDG_CONFIG_HOME : join(process.env.HOME || homedir(), ".config");
  if (id) keyFolder = join(config, "hush", "keys", id);
  hush(["set", "openai_api_key"], `sk-proj-demo${randomBytes(24).toString("hex")}`);
  hush(["set", "database_url"], `postgres://agent:${randomBytes(12).toString("hex")}@127.0.0.1:5432/test`);
  hush(["list"]);
  hush(["run", "--", process.execPath, "-e", "const k = process.env.OPENAI_API_KEY; console.log(`agent.js sees OPENAI_API_KEY (${k.length} chars, starts ${k.slice(0, 8)}…) and DATABASE_URL=${process.env.DATABASE_URL ? 'set' : 'missing'}`)"]);
  const mode = (p) => (statSync(p).mode & 0o777).toString(8);
  const key = keyFolder ? join(keyFolder, "dev.key") : join(project, ".secrets", ".encryption.key");
  console.log(`\n.secrets/ is ${mode(join(project, ".secrets"))}, .secrets/dev.store is ${mode(join(project, ".secrets", "dev.store"))}; the key ${key} is ${mode(key)}${keyFolder ? ", outside the project folder" : ""}; nothing plaintext on disk.`);
} finally {
  rmSync(project, { recursive: true, force: true });
  // The demo's own key (only its project's folder): a key of a deleted store opens nothing.
  if (keyFolder) rmSync(keyFolder, { recursive: true, force: true });
}
