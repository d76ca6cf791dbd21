/** Runs the CLI in-process with in-memory streams, for command tests. */
import { PassThrough, Readable } from "node:stream";
import { runCli } from "../../src/cli/run-cli.js";
import type { CliContext } from "../../src/cli/context.js";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunCliOptions {
  /** Text fed to stdin (not a TTY). */
  stdin?: string;
  /** Environment seen by the command. @default {} plus PATH/HOME/XDG_CONFIG_HOME (the test run's config folder: test/global-setup.ts) */
  env?: NodeJS.ProcessEnv;
}

/** Runs `hush <argv>` in-process and captures its output. */
export async function runHush(argv: string[], options: RunCliOptions = {}): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  stdout.on("data", (c: Buffer) => chunks.out.push(c));
  stderr.on("data", (c: Buffer) => chunks.err.push(c));
  const ctx: CliContext = {
    stdout,
    stderr,
    stdin: Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]),
    env: options.env ?? { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME },
    exitCode: 0,
    color: false,
  };
  const code = await runCli(argv, ctx);
  return { code, stdout: Buffer.concat(chunks.out).toString("utf8"), stderr: Buffer.concat(chunks.err).toString("utf8") };
}
