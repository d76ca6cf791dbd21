/**
 * The built CLI (dist/cli.js, run in place so the optional SDKs resolve) on a project whose dev key
 * is wrapped by a KMS (hush.yaml `keys.dev`), for the CLI-level `hush key rotate` tests of the
 * wrapped-key providers (test/keys/*-rotate-cli.test.ts): values set through `hush set`, read back
 * through `hush get`, and the checks every such test makes on a failure (nothing changed, nothing
 * leaked).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { REPO, runHushBinary } from "./run-binary.js";

export const CLI = join(REPO, "dist/cli.js");

/** Values stored in each project; none may appear in any output. */
export const WRAPPED_VALUES = { db_password: "db-CANARY-5e4d3c2b1a09", api_token: "tok-CANARY-a1b2c3d4e5f6" } as const;

/** A project folder with hush.yaml naming the wrapped-key provider of dev. */
export interface WrappedCliProject {
  dir: string;
  secretsDir: string;
  store: string;
  /** The wrapped-key file. */
  wrapped: string;
  env: NodeJS.ProcessEnv;
  /** `hush <args>` through the built CLI in the project. */
  hush(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
  cleanup(): void;
}

/** Makes the folder and hush.yaml; the caller saves the first wrapped key, then calls {@link storeValues}. */
export function wrappedCliProject(prefix: string, keysDevYaml: string, wrappedName: string, extraEnv: NodeJS.ProcessEnv): WrappedCliProject {
  const dir = mkdtempSync(join(tmpdir(), `hush-${prefix}-`));
  writeFileSync(join(dir, "hush.yaml"), `version: 1\naudit: off\nkeys:\n  dev: ${keysDevYaml}\n`);
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: dir, XDG_CONFIG_HOME: join(dir, ".config"), HUSH_ENV: "dev", ...extraEnv };
  const secretsDir = join(dir, ".secrets");
  return {
    dir,
    secretsDir,
    store: join(secretsDir, "dev.store"),
    wrapped: join(secretsDir, wrappedName),
    env,
    hush: (...args) => runHushBinary(CLI, args, { cwd: dir, env }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** `hush set` of every value of {@link WRAPPED_VALUES} (the value on stdin). */
export async function storeValues(p: WrappedCliProject): Promise<void> {
  for (const [name, value] of Object.entries(WRAPPED_VALUES)) {
    const r = await runHushBinary(CLI, ["set", name], { cwd: p.dir, env: p.env, input: value });
    expect(r.stderr).toMatch(new RegExp(`^stored ${name} in local`));
    expect(r.code).toBe(0);
  }
}

/** Every value reads back as stored, each through `hush get` (a new process: nothing kept from before); a failure names the secret, never a value. */
export async function expectValuesIntact(p: WrappedCliProject): Promise<void> {
  for (const [name, value] of Object.entries(WRAPPED_VALUES)) {
    const r = await p.hush("get", name);
    expectNoLeak({ stdout: "", stderr: r.stderr });
    expect(r.code, `hush get ${name}: ${r.stderr}`).toBe(0);
    expect(r.stdout.replace(/\n$/, "") === value, `hush get ${name} reads back the value stored`).toBe(true);
  }
}

/** The bytes of the store and the wrapped key, to show that a failed rotation changed nothing. */
export function snapshot(p: WrappedCliProject): { store: Buffer; wrapped: Buffer } {
  return { store: readFileSync(p.store), wrapped: readFileSync(p.wrapped) };
}

/** Nothing changed since `before`, and no pending key was left. */
export function expectUnchanged(p: WrappedCliProject, before: { store: Buffer; wrapped: Buffer }): void {
  expect(readFileSync(p.store).equals(before.store), "the store is unchanged").toBe(true);
  expect(readFileSync(p.wrapped).equals(before.wrapped), "the wrapped key is unchanged").toBe(true);
  expect(existsSync(`${p.wrapped}.pending`), "no pending key left").toBe(false);
}

/**
 * What a rotation that failed before the store was written says (src/keys/rotation-note.ts), as
 * the CLI prints it: the message's note, then the cause's hint on the next line.
 */
export const NOTHING_CHANGED_NOTE = / Nothing was changed: the store and the key file are as they were, and no pending key is left\. Run `hush key rotate` again once the service can be reached\.\n {2}hint: /;

/** No stored value, and none of `secrets` (tokens, keys), in a run's output. */
export function expectNoLeak(run: { stdout: string; stderr: string }, secrets: readonly string[] = []): void {
  const text = run.stdout + run.stderr;
  for (const s of [...Object.values(WRAPPED_VALUES), ...secrets]) expect(text.includes(s), "a value or a secret leaked into the output").toBe(false);
  expect(text.includes("CANARY"), "a value leaked into the output").toBe(false);
}
