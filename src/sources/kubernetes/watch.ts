/**
 * `watch` of the kubernetes source's API mode: each Secret the source reads is followed with the
 * Kubernetes watch API (https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes):
 * `GET /api/v1/namespaces/NS/secrets?watch=true&fieldSelector=metadata.name=NAME&allowWatchBookmarks=true
 * &timeoutSeconds=T[&resourceVersion=RV]`, newline-delimited JSON events (ADDED, MODIFIED, DELETED,
 * BOOKMARK, ERROR). Only `metadata.resourceVersion` is taken from an event; the Secret's data in it
 * is never kept.
 *
 * - Start ("list then watch", with `get`: the source needs no `list` verb): the watch opens without
 *   a resourceVersion (the server sends the current state as a synthetic ADDED), then the Secret is
 *   read once; whatever changes after that read arrives on the open stream, so nothing falls in
 *   between. An object's own resourceVersion is not a safe start: it can be older than the API
 *   server's watch window (a Secret nobody changed for an hour) and be refused with 410 forever.
 * - The server ends each stream after `timeoutSeconds`: the next one resumes from the last
 *   resourceVersion seen (an event or a BOOKMARK), so the server replays what came in between.
 * - 410 Gone (an ERROR event with a Status of code 410, or HTTP 410): that version left the
 *   window; start again from the current state ("relist"), compared with what was seen.
 * - A failure (cut stream, refused connection, 5xx, timeout): said once through `onWarning`, then
 *   retried with a jittered, growing wait (at most `pollIntervalMs`), and the Secret is read at
 *   each retry, so a change made while the watch is down is still reported. Recovery is said too.
 * - RBAC 403 on `watch`: the ACCESS_DENIED wording of ./errors.ts (naming the verb) and a fall back
 *   to reading the Secret every `pollIntervalMs`, said once.
 *
 * A change is reported as "anything may have changed" (no names): the manager re-reads, and a
 * re-read that finds the same values is silent. The first read of the Secret is reported once too,
 * so a change made between the caller's own first read and the start of the watch is not lost.
 */
import { HushError } from "../../errors.js";
import type { SourceChange } from "../../types.js";
import { jitterMs } from "../remote/jitter.js";
import type { WatchStream } from "./client.js";
import { statusCodeOf, type SecretAccess } from "./secret-access.js";

/** Options of {@link createSecretWatch}. */
export interface SecretWatchOptions {
  source: string;
  /** The Secrets to follow (valid Secret names). */
  secrets: readonly string[];
  access: Pick<SecretAccess, "readSecret" | "openWatch" | "watchError">;
  /** How often a Secret is read when `watch` is denied; also the longest wait between two attempts to watch again. */
  pollIntervalMs: number;
  /** `timeoutSeconds` of each watch request. @default a random 300..600 (client-go's spread) */
  timeoutSeconds?: number;
  /** How long opening a watch may take, in ms. */
  timeoutMs: number;
  onWarning?(message: string): void;
}

/** A `watch` function over the Secrets; `stopAll()` ends every subscription (dispose). */
export function createSecretWatch(options: SecretWatchOptions): ((onChange: (change: SourceChange) => void) => () => void) & { stopAll(): void } {
  const subscribers = new Set<(change: SourceChange) => void>();
  let followers: (() => void)[] = [];
  const emit = () => {
    for (const s of [...subscribers]) s({ source: options.source });
  };
  const stopAll = () => {
    subscribers.clear();
    for (const stop of followers.splice(0)) stop();
  };
  const watch = (onChange: (change: SourceChange) => void) => {
    subscribers.add(onChange);
    if (followers.length === 0) followers = options.secrets.map((secret) => followSecret(secret, options, emit));
    return () => {
      subscribers.delete(onChange);
      if (subscribers.size === 0) stopAll();
    };
  };
  return Object.assign(watch, { stopAll });
}

// --- internal ---

/** A stream that ends sooner than this is reopened only after the rest of it (no hot loop). */
const MIN_STREAM_MS = 1000;
/** After `timeoutSeconds` and this much more, a stream the server did not close is dropped as stalled. */
const STALL_GRACE_MS = 30_000;

/** Follows one Secret until the returned function is called. */
function followSecret(secret: string, options: SecretWatchOptions, emit: () => void): () => void {
  const { access, source } = options;
  let stopped = false;
  /** The last state seen: a resourceVersion, null for "no such Secret", undefined before the first. */
  let seen: string | null | undefined;
  let resumeFrom: string | undefined;
  let stream: WatchStream | undefined;
  let streamFailure: unknown;
  let failures = 0;
  let down = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;

  let baselined = false;
  const observe = (state: string | null) => {
    if (stopped || state === seen) return;
    const changed = seen !== undefined;
    seen = state;
    if (changed) emit();
  };
  const onEvent = (type: string, object: unknown) => {
    const rv = resourceVersionOf(object);
    if (type === "ERROR") {
      streamFailure = Object.assign(new Error("watch ERROR event"), { code: statusOf(object) });
      stream?.abort();
      return;
    }
    if (rv !== undefined) resumeFrom = rv;
    if (type === "ADDED" || type === "MODIFIED") observe(rv ?? "");
    else if (type === "DELETED") observe(null);
  };
  const relist = async () => {
    const obj = await access.readSecret(secret);
    observe(obj ? (obj.resourceVersion ?? "") : null);
    if (!baselined && !stopped) emit(); // the first state: one re-read catches a change made before watching began
    baselined = true;
  };
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ms);
      timer.unref();
    });

  async function streamOnce(): Promise<void> {
    const from = resumeFrom;
    streamFailure = undefined;
    const timeoutSeconds = options.timeoutSeconds ?? 300 + jitterMs(300);
    stream = await access.openWatch(secret, { resourceVersion: from, timeoutSeconds, timeoutMs: options.timeoutMs }, onEvent);
    const opened = Date.now();
    const stall = setTimeout(() => ((streamFailure ??= Object.assign(new Error("stalled"), { name: "TimeoutError" })), stream?.abort()), timeoutSeconds * 1000 + STALL_GRACE_MS);
    stall.unref();
    try {
      if (stopped) return;
      if (from === undefined) await relist(); // the state now; later changes come on the open stream
      failures = 0;
      if (down) options.onWarning?.(`${source}: watching secrets/${secret} again.`);
      down = false;
      const outcome = await stream.ended;
      if (stopped) return;
      if (streamFailure !== undefined) throw streamFailure;
      // The stream broke (the SDK's error may quote the reply: only the fact is kept).
      if (outcome !== null) throw Object.assign(new Error("the watch stream was cut"), { code: "ECONNRESET" });
      if (Date.now() - opened < MIN_STREAM_MS) await pause(MIN_STREAM_MS - (Date.now() - opened));
    } finally {
      clearTimeout(stall);
      stream.abort();
      stream = undefined;
    }
  }

  async function run(): Promise<void> {
    while (!stopped) {
      try {
        await streamOnce();
      } catch (e) {
        if (stopped) return;
        const status = statusCodeOf(e);
        if (status === 410 && resumeFrom !== undefined) {
          resumeFrom = undefined; // Gone: start again from the current state
          continue;
        }
        const error = e instanceof HushError ? e : await access.watchError(secret, e).catch(() => undefined);
        if (status === 403) return fallBackToPolling(error);
        await retryLater(error);
      }
    }
  }

  /** Says the failure (once until recovered), reads the Secret so no change is missed, waits. */
  async function retryLater(error: HushError | undefined): Promise<void> {
    failures++;
    resumeFrom = undefined;
    if (!down) options.onWarning?.(`${source}: watching secrets/${secret} failed (${describe(error)}); retrying, and reading the Secret at each retry (at most ${every(options.pollIntervalMs)} apart) so no change is missed.`);
    down = true;
    await relist().catch(() => undefined); // unreachable too: the reconnect's read will see it
    const ceiling = Math.min(options.pollIntervalMs, 200 * 2 ** Math.min(failures, 10));
    if (!stopped) await pause(ceiling / 2 + jitterMs(ceiling / 2));
  }

  function fallBackToPolling(error: HushError | undefined): void {
    const hint = error?.hint ? ` ${error.hint}` : "";
    options.onWarning?.(`${error?.message ?? `${source}: RBAC denied "watch" on secrets/${secret} (HTTP 403).`} Falling back to reading secrets/${secret} every ${every(options.pollIntervalMs)} (watching needs the "watch" verb).${hint}`);
    let failing = false;
    const poll = () =>
      relist().then(
        () => (failing = false),
        (e: unknown) => {
          if (!failing) options.onWarning?.(`${source}: reading secrets/${secret} for changes failed (${describe(e instanceof HushError ? e : undefined)}); still trying every ${every(options.pollIntervalMs)}.`);
          failing = true;
        },
      );
    void poll();
    timer = setInterval(() => void poll(), options.pollIntervalMs);
    timer.unref();
  }

  void run();
  return () => {
    stopped = true;
    stream?.abort();
    clearTimeout(timer);
    clearInterval(timer);
    wake?.();
  };
}

function resourceVersionOf(object: unknown): string | undefined {
  const rv = (object as { metadata?: { resourceVersion?: unknown } } | undefined)?.metadata?.resourceVersion;
  return typeof rv === "string" && rv.length <= 64 ? rv : undefined;
}

/** The code of an ERROR event's Status (410 when the version left the window). */
function statusOf(object: unknown): number | undefined {
  const code = (object as { code?: unknown } | undefined)?.code;
  return typeof code === "number" ? code : undefined;
}

function describe(error: HushError | undefined): string {
  return error ? `${error.code}: ${error.message}` : "unexpected error";
}

function every(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}
