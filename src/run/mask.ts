/**
 * `hush run --mask`: the child's stdout and stderr go through the redact stream
 * (src/scan/redact.ts) on their way to hush's own, so each injected value, and each line of a
 * multi-line value, comes out as `[REDACTED:name]`, even when a value is split across writes.
 * The encoded forms the scanner looks for (base64 and base64url at each alignment, hex, URL;
 * src/scan/managed.ts) and the JSON-escaped form are masked too.
 *
 * Not closed (docs/security.md): a value interleaved with ANSI escapes, a value split between
 * stdout and stderr (two streams, no common order), other encodings or transformations.
 *
 * When hush's own output goes away (`| head`), the child gets SIGPIPE, as it would writing to
 * the closed pipe itself: its pipe to hush is a socket, whose close would give it ECONNRESET.
 *
 * Loaded only when `--mask` is on, so a plain `hush run` does not pay for it.
 */
import type { ChildProcess } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { createRedactStream } from "../scan/redact.js";
import { managedVariants } from "../scan/managed.js";
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
  const values = maskedForms(Object.entries(secrets).map(([name, record]) => [name, record.value] as const));
  const sigpipe = (close: () => void): void => {
    // The child wrote output that can no longer be delivered: what a closed pipe does to it.
    // Its end of the socket is closed only once it is gone (or after a moment, when it ignores
    // SIGPIPE): closed first, the child's next write would see ECONNRESET before the signal.
    if (child.exitCode !== null || child.signalCode !== null) return close();
    const timer = setTimeout(close, 100);
    child.once("exit", () => {
      clearTimeout(timer);
      close();
    });
    child.kill("SIGPIPE");
  };
  const done = [pipeOne(child.stdout, values, targets.stdout, sigpipe), pipeOne(child.stderr, values, targets.stderr, sigpipe)];
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

/**
 * Every form of each value to mask, as (name, text) pairs: the value itself (the redact stream
 * also masks each line of a multi-line value), the encoded forms the scanner knows, and the
 * JSON-escaped form (inside a JSON string: `"` `\\` and control characters escaped).
 */
export function maskedForms(entries: ReadonlyArray<readonly [string, string]>): Array<[string, string]> {
  const forms: Array<[string, string]> = entries.map(([name, value]) => [name, value]);
  for (const variant of managedVariants(entries)) if (variant.encoding !== "plain") forms.push([variant.secretName, variant.text]);
  for (const [name, value] of entries) {
    const json = JSON.stringify(value).slice(1, -1);
    if (json !== value) forms.push([name, json]);
    const ascii = json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
    if (ascii !== json) forms.push([name, ascii]);
  }
  return forms;
}

// --- internal ---

function pipeOne(source: Readable | null, values: Array<[string, string]>, target: Writable, onClosed: (close: () => void) => void): { finished: Promise<void>; cut: () => void } {
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
      source.unpipe(redactor);
      onClosed(() => source.destroy());
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
