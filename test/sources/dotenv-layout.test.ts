// The dotenv source's `layout` option: hush's files, or the order Next.js and Vite load theirs.
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDotenvSource, dotenvLayoutFiles } from "../../src/sources/dotenv.js";
import { openConfiguredManager } from "../../src/config/open.js";
import { HushError } from "../../src/errors.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A project with every file a framework might read, each naming itself in WHO (and in ITS_<file>). */
function project(yaml?: string): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "hush-layout-")));
  dirs.push(dir);
  for (const f of [".env", ".env.local", ".env.dev", ".env.development", ".env.development.local", ".env.production", ".env.production.local", ".env.test", ".env.test.local"]) {
    writeFileSync(join(dir, f), `WHO=${f}\nITS${f.replace(/\W/g, "_").toUpperCase()}=1\n`);
  }
  if (yaml !== undefined) writeFileSync(join(dir, "hush.yaml"), yaml);
  return dir;
}

describe("dotenv layouts", () => {
  it("lists the files in increasing precedence, as each tool documents its load order", () => {
    expect(dotenvLayoutFiles("hush", "dev")).toEqual([".env", ".env.dev"]);
    expect(dotenvLayoutFiles("nextjs", "dev")).toEqual([".env", ".env.development", ".env.local", ".env.development.local"]);
    expect(dotenvLayoutFiles("nextjs", "prod")).toEqual([".env", ".env.production", ".env.local", ".env.production.local"]);
    expect(dotenvLayoutFiles("nextjs", "test")).toEqual([".env", ".env.test", ".env.test.local"]); // Next.js skips .env.local in test
    expect(dotenvLayoutFiles("vite", "dev")).toEqual([".env", ".env.local", ".env.development", ".env.development.local"]);
    expect(dotenvLayoutFiles("vite", "staging")).toEqual([".env", ".env.local", ".env.staging", ".env.staging.local"]);
  });

  it("the source reads the layout's files, and the last in order wins", async () => {
    const dir = project();
    const who = async (layout: "hush" | "nextjs" | "vite", environment: string, name = "who") => (await createDotenvSource({ cwd: dir, environment, layout }).get(name))?.value;
    expect(await who("hush", "dev")).toBe(".env.dev");
    expect(await who("nextjs", "dev")).toBe(".env.development.local");
    expect(await who("nextjs", "test")).toBe(".env.test.local");
    expect(await who("nextjs", "test", "its_env_local")).toBeUndefined();
    expect(await who("vite", "prod")).toBe(".env.production.local");
    expect(await who("vite", "dev", "its_env_local")).toBe("1");
    expect(await who("hush", "dev", "its_env_development")).toBeUndefined();
  });

  it("is an option of `- type: dotenv` in hush.yaml; with `files` as well it is refused", async () => {
    const dir = project("version: 1\nsources:\n  - type: dotenv\n    options: { layout: nextjs }\n");
    const { manager } = await openConfiguredManager({ cwd: dir, env: {}, environment: "prod", onWarning: () => undefined });
    expect(await manager.get("who")).toBe(".env.production.local");
    await manager.dispose();

    const both = project("version: 1\nsources:\n  - type: dotenv\n    options: { layout: vite, files: [.env] }\n");
    const e = await openConfiguredManager({ cwd: both, env: {}, onWarning: () => undefined }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(HushError);
    expect((e as HushError).code).toBe("CONFIG_INVALID");
    expect((e as HushError).message).toMatch(/takes `files` or `layout`, not both/);

    const bad = project("version: 1\nsources:\n  - type: dotenv\n    options: { layout: remix }\n");
    const e2 = await openConfiguredManager({ cwd: bad, env: {}, onWarning: () => undefined }).catch((x: unknown) => x);
    expect((e2 as HushError).code).toBe("CONFIG_INVALID");
    expect((e2 as HushError).message).toMatch(/layout: expected one of hush, nextjs, vite/);
  });
});
