/**
 * The library side of `hush run`: runWithSecrets with an in-memory chain, buildChildEnv,
 * command lookup and exit codes. The binary is tested in test/cli/run*.test.ts.
 */
import { describe, expect, it } from "vitest";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { PassThrough } from "node:stream";
import { createSecretsManager } from "../../src/manager.js";
import { HushError } from "../../src/errors.js";
import { runWithSecrets } from "../../src/run/spawn-with-secrets.js";
import { buildChildEnv, CLEAN_ENV_VARIABLES } from "../../src/run/child-env.js";
import { resolveCommand, spawnFailureExitCode } from "../../src/run/spawn-child.js";
import { exitCodeOf } from "../../src/run/signals.js";
import type { SecretRecord, SecretSource, SourceChange } from "../../src/types.js";
import { isAlive, NODE, RUN_CHILD, readIfThere, waitFor } from "../helpers/run-binary.js";

const CANARY = `canary-${randomBytes(12).toString("hex")}`;

/** An in-memory source with `watch`, whose values the test can change. */
function memorySource(values: Record<string, string>): SecretSource & { change(name: string, value: string): void } {
  const listeners = new Set<(c: SourceChange) => void>();
  return {
    name: "memory",
    async get(name) {
      return Object.hasOwn(values, name) ? ({ name, value: values[name]!, source: "memory" } satisfies SecretRecord) : undefined;
    },
    async list() {
      return Object.keys(values);
    },
    watch(onChange) {
      listeners.add(onChange);
      return () => listeners.delete(onChange);
    },
    change(name, value) {
      values[name] = value;
      for (const l of listeners) l({ source: "memory", names: [name] });
    },
  };
}

const managerOf = (source: SecretSource) => createSecretsManager({ sources: [source], cwd: tmpdir(), onWarning: () => {} });
const quiet = { onWarning: () => {}, onNotice: () => {} };

function expectNoValue(e: unknown, value = CANARY): void {
  expect(String(e)).not.toContain(value);
  expect(JSON.stringify(e)).not.toContain(value);
  expect((e as Error).message).not.toContain(value);
}

describe("runWithSecrets", () => {
  it("gives the child the secrets and leaves process.env alone", async () => {
    const before = { ...process.env };
    const dir = mkdtempSync(join(tmpdir(), "hush-lib-run-"));
    try {
      const out = join(dir, "env.json");
      const script = `require("fs").writeFileSync(${JSON.stringify(out)}, JSON.stringify({ k: process.env.OPENAI_API_KEY, d: process.env.DB_URL }))`;
      const result = await runWithSecrets(NODE, ["-e", script], { manager: managerOf(memorySource({ openai_api_key: CANARY, "db.url": "postgres://x" })), ...quiet });
      expect(result).toEqual({ exitCode: 0, signal: undefined, injected: ["DB_URL", "OPENAI_API_KEY"], restarts: 0 });
      expect(JSON.parse(readFileSync(out, "utf8"))).toEqual({ k: CANARY, d: "postgres://x" });
      expect(process.env).toEqual(before);
      expect(process.env.OPENAI_API_KEY).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a NUL value fails only its own name (a warning naming it); --strict refuses before spawning", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hush-lib-nul-"));
    try {
      const marker = join(dir, "ran");
      const warnings: string[] = [];
      const manager = () => managerOf(memorySource({ blob: `a\0${CANARY}`, other: "fine" }));
      const ok = await runWithSecrets(NODE, [RUN_CHILD, "touch", marker], { manager: manager(), onWarning: (m) => warnings.push(m), onNotice: () => undefined });
      expect(ok.exitCode).toBe(0);
      expect(ok.injected).toEqual(["OTHER"]);
      expect(existsSync(marker)).toBe(true);
      expect(warnings.join("\n")).toMatch(/blob not injected: .*NUL byte/);
      expect(warnings.join("\n")).not.toContain(CANARY);
      rmSync(marker);
      const e = await runWithSecrets(NODE, [RUN_CHILD, "touch", marker], { manager: manager(), strict: true, ...quiet }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(HushError);
      expect((e as HushError).code).toBe("INVALID_VALUE");
      expect((e as HushError).secret).toBe("blob");
      expectNoValue(e);
      expect(existsSync(marker)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("--strict: a missing --only name is an error; without it, a warning", async () => {
    const warnings: string[] = [];
    const manager = managerOf(memorySource({ present: CANARY }));
    const ok = await runWithSecrets("true", [], { manager, only: ["present", "absent"], onWarning: (m) => warnings.push(m) });
    expect(ok.exitCode).toBe(0);
    expect(warnings.join("\n")).toMatch(/absent not injected/);
    const e = await runWithSecrets("true", [], { manager, only: ["present", "absent"], strict: true, ...quiet }).catch((x: unknown) => x);
    expect((e as HushError).code).toBe("NOT_FOUND");
    expectNoValue(e);
  });

  it("SPAWN_FAILED for a missing command, with no value in the error", async () => {
    const e = await runWithSecrets("hush-no-such-command", [], { manager: managerOf(memorySource({ k: CANARY })), ...quiet }).catch((x: unknown) => x);
    expect((e as HushError).code).toBe("SPAWN_FAILED");
    expect(spawnFailureExitCode(e as HushError)).toBe(127);
    expectNoValue(e);
  });

  it("mask: redacts into the given streams", async () => {
    const stdout = new PassThrough();
    let text = "";
    stdout.on("data", (c: Buffer) => (text += c.toString()));
    const r = await runWithSecrets(NODE, ["-e", "process.stdout.write('k=' + process.env.API_KEY + '\\n')"], { manager: managerOf(memorySource({ api_key: CANARY })), mask: true, stdout, ...quiet });
    expect(r.exitCode).toBe(0);
    expect(text).toBe("k=[REDACTED:api_key]\n");
  });

  it("watch: a source's change notification restarts the child with the new value", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hush-lib-watch-"));
    try {
      const source = memorySource({ api_token: "one-111" });
      const out = join(dir, "seen.txt");
      const running = runWithSecrets(NODE, [RUN_CHILD, "record", "API_TOKEN", out], { manager: managerOf(source), watch: true, restartGraceMs: 2000, ...quiet });
      await waitFor(() => (readIfThere(out) === "one-111\n" ? true : undefined), "first child");
      source.change("api_token", "two-222");
      await waitFor(() => (readIfThere(out) === "one-111\ntwo-222\n" ? true : undefined), "restarted child");
      process.kill(Number(readFileSync(`${out}.pid`, "utf8")), "SIGTERM"); // the child exits 0 on SIGTERM: the run ends
      const r = await running;
      expect(r).toMatchObject({ exitCode: 0, restarts: 1 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("watch: a change made before the source's watcher is in place still restarts the child (re-read once it is)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hush-lib-late-"));
    try {
      // As the postgres source: its LISTEN is in place some time after watch(); a change committed
      // before that is never notified. `listening()` resolves when the test says so.
      const values: Record<string, string> = { api_token: "one-111" };
      let ready!: () => void;
      const listening = new Promise<void>((r) => (ready = r));
      const source: SecretSource & { listening(): Promise<void> } = { ...memorySource(values), listening: () => listening };
      const out = join(dir, "seen.txt");
      const running = runWithSecrets(NODE, [RUN_CHILD, "record", "API_TOKEN", out], { manager: managerOf(source), watch: true, restartGraceMs: 2000, ...quiet });
      await waitFor(() => (readIfThere(out) === "one-111\n" ? true : undefined), "first child");
      values.api_token = "two-222"; // changed while nothing listens: no notification
      ready();
      await waitFor(() => (readIfThere(out) === "one-111\ntwo-222\n" ? true : undefined), "restarted child");
      process.kill(Number(readFileSync(`${out}.pid`, "utf8")), "SIGTERM");
      expect(await running).toMatchObject({ exitCode: 0, restarts: 1 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("watch: a change in the gap after a child ended still leaves the next one a SIGKILL after the grace period", async () => {
    // The gap between a child's exit and the next spawn is held open here by a grandchild that
    // keeps the masked stdout pipe open (the run waits up to DRAIN_AFTER_EXIT_MS for it). A change
    // then used to arm the SIGKILL timer for the child that had already ended, and the next
    // restart found it armed: a child that ignores SIGTERM was never killed.
    // No timing is assumed: the run's read of the change is held at a gate until the first child
    // is reaped. The test's poll timer is due before the run's drain timer (set at the exit), and
    // what follows the gate is promise continuations only, so the change lands in the gap however
    // slow the machine.
    const dir = mkdtempSync(join(tmpdir(), "hush-lib-gap-"));
    const out = join(dir, "seen.txt");
    const release = join(dir, "release");
    const exitNow = join(dir, "exit-now");
    const lines = () => (readIfThere(out) ?? "").trim().split("\n").filter(Boolean).map((l) => l.split(" ") as [string, string]);
    try {
      // one-111: records, leaves a grandchild holding stdout until `release` exists, exits 0 once
      // `exit-now` exists. two-222: ignores SIGTERM, records, waits. three-333: records, exits 0.
      const script = join(dir, "child.cjs");
      writeFileSync(script, `const fs = require("fs"); const v = process.env.API_TOKEN;
if (v === "two-222") process.on("SIGTERM", () => {});
fs.appendFileSync(${JSON.stringify(out)}, v + " " + process.pid + "\\n");
if (v === "one-111") {
  require("child_process").spawn(process.execPath, ["-e", "const t = setInterval(() => { if (require('fs').existsSync(process.argv[1])) clearInterval(t); }, 20)", ${JSON.stringify(release)}], { stdio: ["ignore", "inherit", "ignore"] }).unref();
  const t = setInterval(() => { if (fs.existsSync(${JSON.stringify(exitNow)})) clearInterval(t); }, 20);
} else if (v === "two-222") setInterval(() => {}, 1000);
`);
      const memory = memorySource({ api_token: "one-111" });
      let openGate: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (openGate = resolve));
      let held = false;
      const source = { ...memory, get: async (name: string) => {
        const record = await memory.get(name);
        if (record?.value === "two-222") {
          held = true;
          await gate;
        }
        return record;
      } };
      const running = runWithSecrets(NODE, [script], { manager: managerOf(source), watch: true, mask: true, stdout: new PassThrough().resume(), restartGraceMs: 300, ...quiet });
      const [, firstPid] = await waitFor(() => lines()[0], "first child");
      source.change("api_token", "two-222"); // read by the run, and held at the gate
      await waitFor(() => (held ? true : undefined), "the run's read of the change");
      writeFileSync(exitNow, "");
      await waitFor(() => (isAlive(Number(firstPid)) ? undefined : true), "first child ended and reaped");
      openGate(); // in the gap
      writeFileSync(release, "");
      await waitFor(() => (lines()[1]?.[0] === "two-222" ? true : undefined), "second child");
      source.change("api_token", "three-333"); // SIGTERM is ignored: SIGKILL after 300 ms
      await waitFor(() => (lines()[2]?.[0] === "three-333" ? true : undefined), "third child, after the SIGKILL", 10_000);
      expect(await running).toMatchObject({ exitCode: 0, restarts: 2 });
    } finally {
      writeFileSync(release, ""); // the grandchild ends, whatever happened
      for (const [, pid] of lines()) if (isAlive(Number(pid))) process.kill(Number(pid), "SIGKILL"); // a child left by a failure
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("watch + reloadSignal: a change sends the signal and does not restart the child", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hush-lib-reload-"));
    try {
      const source = memorySource({ api_token: "one-111" });
      const out = join(dir, "signals.txt");
      // Records its pid at start and "hup" on each SIGHUP; exits 0 on SIGTERM. The handlers come
      // before the start line, so no signal can arrive while the child has none.
      const script = `const fs=require("fs");const o=process.argv[1];process.on("SIGHUP",()=>fs.appendFileSync(o,"hup\\n"));process.on("SIGTERM",()=>process.exit(0));fs.writeFileSync(o,"start "+process.pid+"\\n");setInterval(()=>{},1000);`;
      const running = runWithSecrets(NODE, ["-e", script, out], { manager: managerOf(source), watch: true, reloadSignal: "SIGHUP", ...quiet });
      await waitFor(() => (readIfThere(out)?.startsWith("start ") ? true : undefined), "child started");
      source.change("api_token", "two-222");
      await waitFor(() => (readIfThere(out)?.endsWith("hup\n") ? true : undefined), "SIGHUP received");
      const pid = Number(/start (\d+)/.exec(readFileSync(out, "utf8"))![1]);
      process.kill(pid, "SIGTERM");
      const r = await running;
      expect(r).toMatchObject({ exitCode: 0, restarts: 0 });
      expect(readFileSync(out, "utf8").match(/start/g)).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("buildChildEnv", () => {
  const record = (name: string, value: string): SecretRecord => ({ name, value, source: "t" });

  it("adds the secrets under their variable names to a copy of the base", () => {
    const base = { PATH: "/bin", OTHER: "x" };
    const env = buildChildEnv(base, { "my-key": record("my-key", "v") });
    expect({ ...env }).toEqual({ PATH: "/bin", OTHER: "x", MY_KEY: "v" });
    expect(base).toEqual({ PATH: "/bin", OTHER: "x" });
  });

  it("cleanEnv keeps the listed variables and LC_* only", () => {
    const base = Object.fromEntries([...CLEAN_ENV_VARIABLES, "LC_TIME", "SECRET_TOKEN", "NODE_OPTIONS"].map((k) => [k, k.toLowerCase()]));
    const env = buildChildEnv(base, {}, { cleanEnv: true });
    expect(Object.keys(env).sort()).toEqual([...CLEAN_ENV_VARIABLES, "LC_TIME"].sort());
  });

  it("throws NAME_COLLISION naming both names", () => {
    const e = (() => {
      try {
        buildChildEnv({}, { "db.url": record("db.url", CANARY), db_url: record("db_url", CANARY) });
      } catch (x) {
        return x;
      }
    })();
    expect((e as HushError).code).toBe("NAME_COLLISION");
    expect((e as HushError).message).toMatch(/"db\.url" and "db_url"/);
    expectNoValue(e);
  });
});

describe("command lookup and exit codes", () => {
  it("finds commands on PATH; ENOENT, EACCES and folders are SPAWN_FAILED", () => {
    const dir = mkdtempSync(join(tmpdir(), "hush-lib-cmd-"));
    try {
      writeFileSync(join(dir, "tool"), "#!/bin/sh\n");
      chmodSync(join(dir, "tool"), 0o755);
      writeFileSync(join(dir, "plain"), "x");
      chmodSync(join(dir, "plain"), 0o644);
      expect(resolveCommand("tool", `/nonexistent:${dir}`, "/")).toBe(join(dir, "tool"));
      const code = (f: () => unknown) => {
        try {
          f();
        } catch (e) {
          return spawnFailureExitCode(e as HushError);
        }
      };
      expect(code(() => resolveCommand("missing", dir, "/"))).toBe(127);
      expect(code(() => resolveCommand("plain", dir, "/"))).toBe(126);
      expect(code(() => resolveCommand("./plain", undefined, dir))).toBe(126);
      expect(code(() => resolveCommand(dir, undefined, "/"))).toBe(126);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("exitCodeOf: own code, else 128 + signal number", () => {
    expect(exitCodeOf(3, null)).toBe(3);
    expect(exitCodeOf(null, "SIGINT")).toBe(130);
    expect(exitCodeOf(null, "SIGKILL")).toBe(137);
  });
});
