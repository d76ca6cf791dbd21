#!/usr/bin/env node
/**
 * The CLI entry point: the only place that sets the process's exit code. It loads `hush run`
 * from its own bundle and every other command through the lazy command table.
 */
import module from "node:module";
import type { CliContext } from "./context.js";
import { commandName } from "./command-name.js";
import { privateCompileCacheDir } from "./compile-cache-dir.js";
import { hardenProcess } from "./harden-process.js";

// Before anything else, so before any secret is read: no inspector on SIGUSR1, no core file.
hardenProcess();

// Node >= 22.1 keeps compiled code between runs; on Node 20 this is absent and skipped. Never
// in Node's default folder, os.tmpdir()/node-compile-cache: on a shared machine another user
// could create it first and plant compiled code that hush would then run.
const enableCompileCache = (module as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache;
if (enableCompileCache) {
  const dir = privateCompileCacheDir(process.env);
  if (dir) enableCompileCache(dir);
}

const argv = process.argv.slice(2);

/** A `hush list | head` reader that goes away is not an error worth a stack trace. */
function quietOnEpipe<T extends NodeJS.WriteStream>(stream: T): T {
  if (stream.listenerCount("error") === 0) {
    stream.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code !== "EPIPE") throw e;
      process.exitCode ||= 141; // 128 + SIGPIPE, as a shell reports it
      stream.destroy();
    });
  }
  return stream;
}

// The streams are built by Node on first access, which costs a few milliseconds: `hush run`
// without --mask never needs them, so they are reached through getters.
const ctx: CliContext = {
  get stdout() {
    return quietOnEpipe(process.stdout);
  },
  get stderr() {
    return quietOnEpipe(process.stderr);
  },
  get stdin() {
    return process.stdin;
  },
  env: process.env,
  exitCode: 0,
  get color() {
    return Boolean(process.stderr.isTTY) && !("NO_COLOR" in process.env);
  },
};

const { runCli, reportError } = commandName(argv) === "run" ? await import("./cli-run.js") : await import("./run-cli.js");
runCli(argv, ctx).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.exitCode = reportError(e, ctx, argv.includes("--debug"));
  },
);
