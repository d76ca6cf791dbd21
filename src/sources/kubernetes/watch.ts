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
  let followers: SecretFollower[] = [];
  const emit = () => {
    for (const s of [...subscribers]) s({ source: options.source });
  };
  const stopAll = () => {
    subscribers.clear();
    for (const follower of followers.splice(0)) follower.stop();
  };
  const watch = (onChange: (change: SourceChange) => void) => {
    subscribers.add(onChange);
    if (followers.length === 0) followers = options.secrets.map((secret) => new SecretFollower(secret, options, emit));
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

/** Follows one Secret from construction until `stop()`. */
class SecretFollower {
  private stopped = false;
  /** The last state seen: a resourceVersion, null for "no such Secret", undefined before the first. */
  private seen: string | null | undefined;
  private baselined = false;
  private resumeFrom: string | undefined;
  private stream: WatchStream | undefined;
  private streamFailure: unknown;
  private failures = 0;
  private down = false;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly secret: string,
    private readonly options: SecretWatchOptions,
    private readonly emit: () => void,
  ) {
    void this.run();
  }

  stop(): void {
    this.stopped = true;
    this.stream?.abort();
    clearTimeout(this.timer);
    clearInterval(this.timer);
    this.wake?.();
  }

  /** A notice through `onWarning`, unless stopped (a read in flight at `stop()` ends silently). */
  private say(message: string): void {
    if (!this.stopped) this.options.onWarning?.(message);
  }

  private observe(state: string | null): void {
    if (this.stopped || state === this.seen) return;
    const changed = this.seen !== undefined;
    this.seen = state;
    if (changed) this.emit();
  }

  private readonly onEvent = (type: string, object: unknown): void => {
    const rv = resourceVersionOf(object);
    if (type === "ERROR") {
      this.streamFailure = Object.assign(new Error("watch ERROR event"), { code: statusOf(object) });
      this.stream?.abort();
      return;
    }
    if (rv !== undefined) this.resumeFrom = rv;
    if (type === "ADDED" || type === "MODIFIED") this.observe(rv ?? "");
    else if (type === "DELETED") this.observe(null);
  };

  /** Reads the Secret ("relist") and compares it with what was seen. */
  private async relist(): Promise<void> {
    const obj = await this.options.access.readSecret(this.secret);
    this.observe(obj ? (obj.resourceVersion ?? "") : null);
    if (!this.baselined && !this.stopped) this.emit(); // the first state: one re-read catches a change made before watching began
    this.baselined = true;
  }

  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, ms);
      this.timer.unref();
    });
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.streamOnce();
      } catch (e) {
        if (this.stopped) return;
        const status = statusCodeOf(e);
        if (status === 410 && this.resumeFrom !== undefined) {
          this.resumeFrom = undefined; // Gone: start again from the current state
          continue;
        }
        const error = e instanceof HushError ? e : await this.options.access.watchError(this.secret, e).catch(() => undefined);
        if (status === 403) return this.fallBackToPolling(error);
        await this.retryLater(error);
      }
    }
  }

  /** One watch request, from `resumeFrom` (or the current state), until the stream ends. */
  private async streamOnce(): Promise<void> {
    const { options, secret } = this;
    const from = this.resumeFrom;
    this.streamFailure = undefined;
    const timeoutSeconds = options.timeoutSeconds ?? 300 + jitterMs(300);
    const stream = (this.stream = await options.access.openWatch(secret, { resourceVersion: from, timeoutSeconds, timeoutMs: options.timeoutMs }, this.onEvent));
    const opened = Date.now();
    const stalled = () => ((this.streamFailure ??= Object.assign(new Error("stalled"), { name: "TimeoutError" })), stream.abort());
    const stall = setTimeout(stalled, timeoutSeconds * 1000 + STALL_GRACE_MS);
    stall.unref();
    try {
      if (this.stopped) return;
      if (from === undefined) await this.relist(); // the state now; later changes come on the open stream
      if (this.stopped) return; // stopped during the read: a stopped watch says nothing more
      this.failures = 0;
      if (this.down) this.say(`${options.source}: watching secrets/${secret} again.`);
      this.down = false;
      const outcome = await stream.ended;
      if (this.stopped) return;
      if (this.streamFailure !== undefined) throw this.streamFailure;
      // The stream broke (the SDK's error may quote the reply: only the fact is kept).
      if (outcome !== null) throw Object.assign(new Error("the watch stream was cut"), { code: "ECONNRESET" });
      if (Date.now() - opened < MIN_STREAM_MS) await this.pause(MIN_STREAM_MS - (Date.now() - opened));
    } finally {
      clearTimeout(stall);
      stream.abort();
      this.stream = undefined;
    }
  }

  /** Says the failure (once until recovered), reads the Secret so no change is missed, waits. */
  private async retryLater(error: HushError | undefined): Promise<void> {
    const { options, secret } = this;
    this.failures++;
    this.resumeFrom = undefined;
    if (!this.down) this.say(`${options.source}: watching secrets/${secret} failed (${describe(error)}); retrying, and reading the Secret at each retry (at most ${every(options.pollIntervalMs)} apart) so no change is missed.`);
    this.down = true;
    await this.relist().catch(() => undefined); // unreachable too: the reconnect's read will see it
    const ceiling = Math.min(options.pollIntervalMs, 200 * 2 ** Math.min(this.failures, 10));
    if (!this.stopped) await this.pause(ceiling / 2 + jitterMs(ceiling / 2));
  }

  /** RBAC denies `watch`: said once, then the Secret is read every `pollIntervalMs`. */
  private fallBackToPolling(error: HushError | undefined): void {
    const { options, secret } = this;
    const hint = error?.hint ? ` ${error.hint}` : "";
    this.say(`${error?.message ?? `${options.source}: RBAC denied "watch" on secrets/${secret} (HTTP 403).`} Falling back to reading secrets/${secret} every ${every(options.pollIntervalMs)} (watching needs the "watch" verb).${hint}`);
    let failing = false;
    const poll = () =>
      this.relist().then(
        () => (failing = false),
        (e: unknown) => {
          if (!failing) this.say(`${options.source}: reading secrets/${secret} for changes failed (${describe(e instanceof HushError ? e : undefined)}); still trying every ${every(options.pollIntervalMs)}.`);
          failing = true;
        },
      );
    void poll();
    this.timer = setInterval(() => void poll(), options.pollIntervalMs);
    this.timer.unref();
  }
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
