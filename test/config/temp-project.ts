/** Temp project folders for config and CLI tests, removed after each test. */
import { afterEach } from "vitest";
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runHush, type CliRun } from "../helpers/cli.js";

/**
 * A value set in every store: it must never appear in these commands' output (FAULTS 22).
 * Shaped as a legacy OpenAI key (sk- + 48 letters and digits) so the format checks pass; put
 * together at run time so no key-shaped literal sits in the repository.
 */
export const CANARY = ["sk-", "canary7Hq2Zp9Xw4Lm8Rt6Yv3Nb5Kd", "Q1w2E3r4T5y6U7i8O9"].join("");

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fresh folder with optional files (`{ "hush.yaml": "...", ".env": "..." }`). */
export function tempProject(files: Record<string, string> = {}): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "hush-cli-")));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** `hush <argv> -C dir` with an environment of PATH/HOME plus `env`. */
export function hushIn(dir: string, argv: string[], options: { env?: NodeJS.ProcessEnv; stdin?: string } = {}): Promise<CliRun> {
  return runHush([...argv, "-C", dir], { stdin: options.stdin, env: { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME, ...options.env } });
}

/** Asserts the canary is nowhere in a run's output. */
export function expectNoCanary(run: CliRun): void {
  if (run.stdout.includes(CANARY) || run.stderr.includes(CANARY)) throw new Error(`the canary value leaked: ${run.stdout.includes(CANARY) ? "stdout" : "stderr"}`);
}
