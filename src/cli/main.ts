#!/usr/bin/env node
/**
 * The CLI entry point: the only place that sets the process's exit code.
 */
import { reportError, runCli } from "./run-cli.js";
import type { CliContext } from "./context.js";

const ctx: CliContext = {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  exitCode: 0,
  color: Boolean(process.stderr.isTTY) && !("NO_COLOR" in process.env),
};

runCli(process.argv.slice(2), ctx).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.exitCode = reportError(e, ctx, process.argv.includes("--debug"));
  },
);
