// Builds dist/: the library (dist/index.js), `hush-secrets/config` (dist/config.js) and the CLI:
// dist/cli.js (a few hundred bytes that pick the bundle to load), dist/cli-run.js (`hush run`
// in one file) and dist/run-cli.js (every other command, with lazily loaded chunks), plus the
// licence notices of the packages bundled into them. Types come from `tsc` only when asked
// (`--types`, as `prepack` does), so `npm install` of a clone stays fast.
import { build } from "esbuild";
import { chmodSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { execFileSync } from "node:child_process";

// `npm pack` / `npm publish` run `prepack` (which builds with types) and then `prepare`: a
// second, type-less build would wipe the .d.ts files that `exports["."].types` points to.
if (process.argv.includes("--unless-packing") && ["pack", "publish"].includes(process.env.npm_command ?? "")) process.exit(0);

// The packages bundled into dist/ (devDependencies, so they are never installed for users):
// their licences require the notice to travel with the code.
const BUNDLED = ["commander", "dotenv", "ignore", "yaml"];

// Heavy or optional packages stay outside the bundle and are imported lazily at run time.
const external = ["pg", "pg-native", "@aws-sdk/*", "@google-cloud/*", "@kubernetes/*", "openai", "@anthropic-ai/sdk", "@inquirer/*", "@dotenvx/*"];

// Every bundle: ESM for Node 20, whitespace and syntax minified (less to parse at every start),
// names kept so `--debug` stacks stay readable. The banner gives bundled CommonJS a `require`.
const common = {
  outdir: "dist",
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  minifyWhitespace: true,
  minifySyntax: true,
  banner: { js: "import { createRequire as __hushCreateRequire } from 'node:module'; const require = __hushCreateRequire(import.meta.url);" },
  logLevel: "warning",
};

// The CLI imports the library only through its public entry, src/index.ts (eslint.config.js). In a
// bundle that would make every command's first chunk hold every module index.ts re-exports
// (esbuild splits by file reachability, through the barrel), so here each such import is
// rewritten to the modules index.ts takes the names from: the same code, only what is used.
const publicEntry = resolve("src/index.ts");
const publicNames = new Map();
for (const m of readFileSync(publicEntry, "utf8").matchAll(/^export\s*\{([^}]*)\}\s*from\s*"([^"]+)"/gm)) {
  for (const spec of m[1].split(",").map((s) => s.trim()).filter(Boolean)) {
    const [name, alias = name] = spec.split(/\s+as\s+/);
    publicNames.set(alias, { name, path: resolve(dirname(publicEntry), m[2].replace(/\.js$/, ".ts")) });
  }
}
const cliThroughPublicEntry = {
  name: "cli-through-public-entry",
  setup(b) {
    b.onLoad({ filter: /\/src\/cli\/.*\.ts$/ }, ({ path }) => {
      const source = readFileSync(path, "utf8");
      const contents = source.replace(/import\s+(type\s+)?\{([^}]*)\}\s*from\s*"((?:\.\.\/)+)index\.js";/g, (all, typeOnly, specs, up) => {
        if (resolve(dirname(path), `${up}index.ts`) !== publicEntry) return all;
        if (typeOnly) return "";
        const byModule = new Map();
        for (const spec of specs.split(",").map((s) => s.trim()).filter((s) => s && !s.startsWith("type "))) {
          const [used, local = used] = spec.split(/\s+as\s+/);
          const target = publicNames.get(used);
          if (!target) throw new Error(`${path}: ${used} is not exported by src/index.ts`);
          byModule.set(target.path, [...(byModule.get(target.path) ?? []), `${target.name} as ${local}`]);
        }
        return [...byModule].map(([p, names]) => `import { ${names.join(", ")} } from ${JSON.stringify(p)};`).join("\n");
      });
      return { contents, loader: "ts" };
    });
  },
};

rmSync("dist", { recursive: true, force: true });
// The library, `hush-secrets/config` and every command but `run`, with shared and lazily loaded
// chunks. yaml is an entry point of its own (dist/vendor/yaml.js), so the one copy of it serves
// these bundles (through a chunk) and `hush run`'s bundle (which imports dist/vendor/yaml.js).
await build({
  ...common,
  entryPoints: { index: "src/index.ts", "run-cli": "src/cli/run-cli.ts", config: "src/config-register.ts", "vendor/yaml": "node_modules/yaml/dist/index.js" },
  splitting: true,
  external,
  chunkNames: "chunks/[name]-[hash]",
  plugins: [cliThroughPublicEntry],
});
// The entry point on its own, importing no chunk: it only reads argv and loads one bundle.
await build({ ...common, entryPoints: { cli: "src/cli/main.ts" }, banner: {}, external: ["./cli-run.js", "./run-cli.js"], plugins: [cliThroughPublicEntry] });
// `hush run`, the main job, as one file: one module to load instead of a score of chunks. Its
// small lazy imports (the Python layout, format checks) are inlined; yaml, needed only when
// hush.yaml has content, is imported from its own one-file bundle, dist/vendor/yaml.js.
await build({
  ...common,
  entryPoints: { "cli-run": "src/cli/cli-run.ts" },
  external: [...external, "./run-cli.js"],
  plugins: [
    cliThroughPublicEntry,
    { name: "vendor-yaml", setup: (b) => b.onResolve({ filter: /^yaml$/ }, () => ({ path: "./vendor/yaml.js", external: true })) },
    // `hush run --gateway` is served by the full CLI (the fast path does not parse --gateway); its
    // lazy import of the gateway runner resolves to dist/run-cli.js, keeping the gateway out of here.
    { name: "gateway-elsewhere", setup: (b) => b.onResolve({ filter: /\/run-gateway\.js$/ }, () => ({ path: "./run-cli.js", external: true })) },
  ],
});
chmodSync("dist/cli.js", 0o755);
writeFileSync("dist/THIRD-PARTY-LICENSES.txt", BUNDLED.map(licenceNotice).join("\n"));
if (process.argv.includes("--types")) {
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
}

function licenceNotice(name) {
  const dir = `node_modules/${name}`;
  const { version, license } = JSON.parse(readFileSync(`${dir}/package.json`, "utf8"));
  const file = ["LICENSE", "LICENSE.md", "LICENSE-MIT", "license"].find((f) => { try { return readFileSync(`${dir}/${f}`); } catch { return false; } });
  if (!file) throw new Error(`no licence file found for bundled package ${name}`);
  return `${name}@${version} (${license})\n${"-".repeat(60)}\n${readFileSync(`${dir}/${file}`, "utf8").trim()}\n`;
}
