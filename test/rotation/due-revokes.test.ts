import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildSync } from "esbuild";
import { afterEach, describe, expect, it } from "vitest";
import { addDueRevoke, dueRevokesPath, readDueRevokes, removeDueRevokes, type DueRevoke } from "../../src/rotation/due-revokes.js";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function folder(): string {
  const d = mkdtempSync(join(tmpdir(), "hush-due-"));
  dirs.push(d);
  return d;
}

function revoke(name: string, version: number): DueRevoke {
  return { name, source: "local", version, rotator: { type: "random", options: {} }, rotatedAt: "2026-01-01T00:00:00.000Z", dueAt: "2026-01-02T00:00:00.000Z" };
}

describe("due revokes file", () => {
  it("keeps every entry of many adds in one process, in a 0600 file", async () => {
    const path = dueRevokesPath(folder(), "dev");
    await Promise.all(Array.from({ length: 20 }, (_, i) => addDueRevoke(path, revoke(`s${i}`, 1))));
    expect(readDueRevokes(path).map((r) => r.name).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `s${i}`).sort());
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it("keeps every entry when several processes add at once (the file lock, across processes)", async () => {
    const dir = folder();
    const path = dueRevokesPath(dir, "dev");
    // The module bundled as it ships, so separate Node processes can run it.
    const bundle = join(dir, "due-revokes.mjs");
    buildSync({ entryPoints: [join(import.meta.dirname, "../../src/rotation/due-revokes.ts")], bundle: true, platform: "node", format: "esm", outfile: bundle, logLevel: "silent" });
    const script = `const m = await import(${JSON.stringify(bundle)});
      const [path, who] = process.argv.slice(1);
      for (let i = 0; i < 60; i++) await m.addDueRevoke(path, { name: who + "_" + i, source: "local", version: 1, rotator: { type: "random", options: {} }, rotatedAt: "x", dueAt: "y" });`;
    const codes = await Promise.all(["p0", "p1", "p2", "p3"].map((who) => new Promise<number | null>((done) => {
      spawn(process.execPath, ["--input-type=module", "-e", script, path, who], { stdio: "inherit" }).on("exit", done);
    })));
    expect(codes).toEqual([0, 0, 0, 0]);
    expect(readDueRevokes(path)).toHaveLength(240);
  });

  it("removes only what was revoked, keeping entries added while the revokes ran", async () => {
    const path = dueRevokesPath(folder(), "dev");
    await addDueRevoke(path, revoke("a", 1));
    await addDueRevoke(path, revoke("b", 2));
    const seen = readDueRevokes(path);
    await Promise.all([removeDueRevokes(path, seen.filter((r) => r.name === "a")), addDueRevoke(path, revoke("c", 3))]);
    expect(readDueRevokes(path).map((r) => `${r.name}@${r.version}`).sort()).toEqual(["b@2", "c@3"]);
  });

  it("replaces an entry of the same name and version", async () => {
    const path = dueRevokesPath(folder(), "dev");
    await addDueRevoke(path, revoke("a", 1));
    await addDueRevoke(path, { ...revoke("a", 1), dueAt: "2026-02-01T00:00:00.000Z" });
    expect(readDueRevokes(path)).toEqual([{ ...revoke("a", 1), dueAt: "2026-02-01T00:00:00.000Z" }]);
  });
});
