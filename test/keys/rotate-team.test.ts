/**
 * Team re-key interrupted at each step (an exception standing in for a crash): the store still
 * opens afterwards with exactly one key, after the next re-key's settle step; no value is lost.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runHush } from "../helpers/cli.js";
import { bundleForChild } from "../helpers/bundle.js";
import { spawn } from "node:child_process";
import { randomInt } from "node:crypto";
import { rotateTeamKey, settleTeamRotation } from "../../src/keys/rotate-team.js";
import { forgetEnvironmentKeys } from "../../src/keys/environment-key.js";

const VALUE = "sk-rotate-team-VALUE-0123456789";
let base: string;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), "hush-rotate-team-"));
  env = { PATH: process.env.PATH, HOME: join(base, "home"), USER: "alice" };
  mkdirSync(env.HOME!, { mode: 0o700 });
  expect((await runHush(["member", "keygen"], { env })).code).toBe(0);
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

async function project(name: string): Promise<string> {
  const dir = join(base, name);
  mkdirSync(dir);
  writeFileSync(join(dir, "hush.yaml"), "version: 1\nkeys:\n  prod: { provider: team }\n");
  expect((await runHush(["--cwd", dir, "init", "--env", "prod"], { env })).code).toBe(0);
  expect((await runHush(["--cwd", dir, "set", "api_key", "--env", "prod"], { env, stdin: VALUE })).code).toBe(0);
  return dir;
}

describe("hush key rotate on a team environment", () => {
  it("re-keys through the members file: the value is intact, the old key opens nothing", async () => {
    const dir = await project("p-cli");
    const before = readFileSync(join(dir, ".secrets", "prod.store"), "latin1").split("\n")[0];
    const r = await runHush(["--cwd", dir, "key", "rotate", "--env", "prod"], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, ".secrets", "prod.store"), "latin1").split("\n")[0]).not.toBe(before); // another key id
    expect((await runHush(["--cwd", dir, "get", "api_key", "--env", "prod"], { env })).stdout.trim()).toBe(VALUE);
    expect(r.stdout + r.stderr).not.toContain(VALUE);
    // The audit log's anchor and start marker moved to the new key: the chain still verifies.
    const verify = await runHush(["--cwd", dir, "audit", "verify", "--env", "prod"], { env });
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    const keepOld = await runHush(["--cwd", dir, "key", "rotate", "--env", "prod", "--keep-old"], { env });
    expect(keepOld.code).toBe(2);
  });
});

describe("team re-key interrupted", () => {
  it("SIGKILL of a re-keying process at random points: settled, the store opens with the members' key, nothing lost", { timeout: 120_000 }, async () => {
    const dir = await project("p-kill");
    const context = { root: dir, secretsDir: join(dir, ".secrets"), environment: "prod", env, onWarning: () => undefined };
    const script = await bundleForChild("test/helpers/rotate-team-loop.ts", base, "rotate-team-loop");
    let rotations = 0;
    let settled = 0;
    for (let kill = 0; kill < 8; kill++) {
      const child = spawn(process.execPath, [script, dir, env.HOME!], { stdio: ["ignore", "pipe", "pipe"] });
      let seen = 0;
      const started = new Promise<void>((resolve) => child.stdout.on("data", (c: Buffer) => { seen += c.toString().split("\n").length - 1; resolve(); }));
      const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
      await started;
      await new Promise((r) => setTimeout(r, randomInt(0, 60)));
      child.kill("SIGKILL");
      await exited;
      rotations += seen;
      if (await settleTeamRotation({ context })) settled++;
      forgetEnvironmentKeys();
      const got = await runHush(["--cwd", dir, "get", "api_key", "--env", "prod"], { env });
      expect(got.stdout.trim(), `after kill ${kill}: ${got.stderr}`).toBe(VALUE);
      expect(existsSync(join(dir, ".hush", "members.prod.json.pending"))).toBe(false);
    }
    process.stdout.write(`team re-key crash test: 8 SIGKILLs over ${rotations} completed re-keys (${settled} left a pending file to settle), 0 stores lost\n`);
  });

  for (const stop of ["pending", "store", "readBack", "audit"] as const) {
    it(`stopped after ${stop}: settled by the next re-key, the value is intact and one key opens the store`, async () => {
      const dir = await project(`p-${stop}`);
      const context = { root: dir, secretsDir: join(dir, ".secrets"), environment: "prod", env, onWarning: () => undefined };
      const crash = new Error("crash");
      await expect(rotateTeamKey({ context, onStep: (s) => { if (s === stop) throw crash; } })).rejects.toBe(crash);
      forgetEnvironmentKeys();
      expect(existsSync(join(dir, ".hush", "members.prod.json.pending"))).toBe(true);
      expect(await settleTeamRotation({ context })).toBe(true);
      expect(existsSync(join(dir, ".hush", "members.prod.json.pending"))).toBe(false);
      const got = await runHush(["--cwd", dir, "get", "api_key", "--env", "prod"], { env });
      expect(got.stdout.trim(), got.stderr).toBe(VALUE);
      // The audit log's anchor moved with the key (or stayed with it): it verifies under the key in use.
      const verified = await runHush(["--cwd", dir, "audit", "verify", "--env", "prod"], { env });
      expect(verified.code, verified.stdout + verified.stderr).toBe(0);
      // And a full re-key after it works.
      const done = await rotateTeamKey({ context });
      expect(done).toMatchObject({ reencrypted: true, members: 1 });
      forgetEnvironmentKeys();
      expect((await runHush(["--cwd", dir, "get", "api_key", "--env", "prod"], { env })).stdout.trim()).toBe(VALUE);
    });
  }
});
