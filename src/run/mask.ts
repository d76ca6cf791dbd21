/**
 * `hush run --mask`: the child's stdout and stderr go through the redact stream
 * (src/scan/redact.ts) on their way to hush's own, so each injected value, and each line of a
 * multi-line value, comes out as `[REDACTED:name]`, even when a value is split across writes.
 *
 * Loaded only when `--mask` is on, so a plain `hush run` does not pay for it.
 */
import type { ChildProcess } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { createRedactStream } from "../scan/redact.js";
import type { SecretRecord } from "../types.js";

/** Where the masked streams go. */
export interface MaskTargets {
  stdout: Writable;
  stderr: Writable;
}

/** How long to wait for the pipes to drain after the child exited (a grandchild may hold them open). */
export const DRAIN_AFTER_EXIT_MS = 250;

/**
 * Pipes `child.stdout` and `child.stderr` (spawned as pipes) through redaction into `targets`.
 * Returns a function to call after the child exited: it resolves once both pipes are drained
 * and flushed, or after {@link DRAIN_AFTER_EXIT_MS} when something else still holds them open.
 */
export function pipeMasked(child: ChildProcess, secrets: Record<string, SecretRecord>, targets: MaskTargets): () => Promise<void> {
  const values = new Map(Object.entries(secrets).map(([name, record]) => [name, record.value] as const));
  const done = [pipeOne(child.stdout, values, targets.stdout), pipeOne(child.stderr, values, targets.stderr)];
  return async () => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((resolve) => {
      timer = setTimeout(() => resolve("late"), DRAIN_AFTER_EXIT_MS);
    });
    const outcome = await Promise.race([Promise.all(done.map((d) => d.finished)), late]);
    clearTimeout(timer);
    // Still open: stop reading and flush what redaction holds back (the end of the output).
    if (outcome === "late") for (const d of done) d.cut();
    await Promise.all(done.map((d) => d.finished));
  };
}

// --- internal ---

function pipeOne(source: Readable | null, values: Map<string, string>, target: Writable): { finished: Promise<void>; cut: () => void } {
  if (!source) return { finished: Promise.resolve(), cut: () => undefined };
  const redactor = createRedactStream(values);
  const finished = new Promise<void>((resolve) => {
    const stop = (): void => {
      target.removeListener("error", closed);
      resolve();
    };
    // hush's own output is gone (EPIPE, as under `| head`): close the child's pipe too, so the
    // child gets EPIPE / SIGPIPE on its next write, as it would without --mask.
    const closed = (): void => {
      source.destroy();
      stop();
    };
    redactor.once("end", stop);
    redactor.once("error", closed);
    target.once("error", closed);
  });
  source.pipe(redactor).pipe(target, { end: false });
  return {
    finished,
    cut: () => {
      source.unpipe(redactor);
      source.destroy();
      redactor.end();
    },
  };
}
