/**
 * The package as users get it: `npm pack` of a staged copy of the repository (never in place:
 * other test files run dist/ while this one runs, and `prepack` rebuilds it), installed from
 * the tarball into a fresh app, offline. The README's TypeScript examples are type-checked
 * under `strict` with `NodeNext` and with `Bundler` resolution against the installed package,
 * then run; `require()` (CommonJS) and the `hush` binary are tried too.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO, NODE } from "../helpers/run-binary.js";

const TSC = join(REPO, "node_modules/typescript/bin/tsc");
const STAGED = ["package.json", "README.md", "LICENSE", "tsconfig.json", "tsconfig.build.json", "scripts", "src"];
// Packages the README's examples import besides hush-secrets, linked from the repository.
const EXAMPLE_DEPS = ["openai", "@anthropic-ai/sdk", "@types/node"];
// tsc over the examples and the SDKs' types takes 15-30 s alone, several times that on a busy
// 2-core machine: a bound against a hang, not a timing threshold.
const TSC_TIMEOUT = 240_000;

let work: string;
let app: string;
let tarball: string;
let files: string[];

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "hush-pack-"));
  const stage = join(work, "stage");
  for (const entry of STAGED) cpSync(join(REPO, entry), join(stage, entry), { recursive: true });
  symlinkSync(join(REPO, "node_modules"), join(stage, "node_modules"));
  const packed = JSON.parse(npm(["pack", "--json", "--pack-destination", work], stage)) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = join(work, packed[0]!.filename);
  files = packed[0]!.files.map((f) => f.path);

  app = join(work, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "agent-app", private: true, type: "module" }));
  npm(["install", "--offline", "--no-audit", "--no-fund", tarball], app);
  for (const dep of EXAMPLE_DEPS) {
    mkdirSync(join(app, "node_modules", dep, ".."), { recursive: true });
    symlinkSync(join(REPO, "node_modules", dep), join(app, "node_modules", dep));
  }
}, 180_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the packed tarball", () => {
  it("is named hush-secrets, ships its types, licences and one copy of yaml, and installs no dependencies", () => {
    const manifest = JSON.parse(readFileSync(join(app, "node_modules/hush-secrets/package.json"), "utf8")) as Record<string, unknown>;
    expect(manifest.name).toBe("hush-secrets");
    expect(manifest.dependencies).toBeUndefined();
    expect(files).toEqual(expect.arrayContaining(["LICENSE", "README.md", "dist/index.js", "dist/cli.js", "dist/types/index.d.ts", "dist/THIRD-PARTY-LICENSES.txt"]));
    const notices = readFileSync(join(app, "node_modules/hush-secrets/dist/THIRD-PARTY-LICENSES.txt"), "utf8");
    for (const bundled of ["commander@", "dotenv@", "ignore@", "yaml@"]) expect(notices).toContain(bundled);
    const withYaml = files.filter((f) => f.endsWith(".js") && readFileSync(join(app, "node_modules/hush-secrets", f), "utf8").includes("node_modules/yaml/dist/nodes/identity.js"));
    expect(withYaml).toEqual(["dist/vendor/yaml.js"]);
    // Only the app's own package and the tarball's: nothing pulled from a registry.
    expect(readdirSync(join(app, "node_modules")).filter((d) => !d.startsWith(".")).sort()).toEqual(["@anthropic-ai", "@types", "hush-secrets", "openai"]);
  });

  it("runs as the `hush` binary", () => {
    const version = execFileSync(join(app, "node_modules/.bin/hush"), ["--version"], { cwd: app, encoding: "utf8" }).trim();
    expect(version).toBe(JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")).version);
  });

  it("loads with require() (CommonJS) and with import", () => {
    const probe = "console.log(typeof require('hush-secrets').getSecret)";
    expect(execFileSync(NODE, ["--input-type=commonjs", "-e", probe], { cwd: app, encoding: "utf8" }).trim()).toBe("function");
    expect(execFileSync(NODE, ["--input-type=module", "-e", "import { getSecret } from 'hush-secrets'; console.log(typeof getSecret)"], { cwd: app, encoding: "utf8" }).trim()).toBe("function");
  });

  const examples = readmeExamples();
  it("has TypeScript examples in the README to check", () => expect(examples.length).toBeGreaterThanOrEqual(2));

  for (const resolution of ["NodeNext", "Bundler"] as const) {
    it(`type-checks the README's examples under strict with ${resolution} resolution`, () => {
      const dir = writeExamples(`check-${resolution}`, examples);
      const module = resolution === "NodeNext" ? "NodeNext" : "ESNext";
      const out = tsc(dir, ["--noEmit", "--module", module, "--moduleResolution", resolution]);
      expect(out).toBe("");
    }, TSC_TIMEOUT);
  }

  it("runs the README's examples, compiled, against the installed package", () => {
    const dir = writeExamples("run", examples);
    expect(tsc(dir, ["--module", "NodeNext", "--moduleResolution", "NodeNext", "--outDir", join(dir, "out")])).toBe("");
    const project = mkdtempSync(join(work, "project-"));
    const env = { PATH: process.env.PATH, HOME: project, OPENAI_API_KEY: "sk-proj-packtest0123456789", ANTHROPIC_API_KEY: "sk-ant-api03-packtest", NEW_DB_URL: "postgres://127.0.0.1/test" };
    for (const [i] of examples.entries()) {
      const result = execFileSync(NODE, [join(dir, "out", `example-${i}.js`)], { cwd: project, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
      expect(result).not.toContain("packtest");
    }
  }, TSC_TIMEOUT);
});

// --- internal ---

function npm(args: string[], cwd: string): string {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith("npm_")) delete env[key];
  return execFileSync("npm", args, { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** The ```ts blocks of the README, each a module of its own. */
function readmeExamples(): string[] {
  const readme = readFileSync(join(REPO, "README.md"), "utf8");
  return [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => `${m[1]}\nexport {};\n`);
}

/** Writes the examples into a folder of the app (so `hush-secrets` resolves from its node_modules). */
function writeExamples(name: string, examples: string[]): string {
  const dir = join(app, name);
  mkdirSync(dir);
  examples.forEach((text, i) => writeFileSync(join(dir, `example-${i}.ts`), text));
  return dir;
}

function tsc(dir: string, args: string[]): string {
  const sources = readdirSync(dir).filter((f) => f.endsWith(".ts")).map((f) => join(dir, f));
  try {
    execFileSync(NODE, [TSC, "--strict", "--target", "ES2022", "--types", "node", "--pretty", "false", ...args, ...sources], { cwd: app, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return "";
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return `${err.stdout ?? ""}${err.stderr ?? ""}`;
  }
}
