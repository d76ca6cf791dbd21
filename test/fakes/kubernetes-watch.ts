/**
 * The watch half of the fake Kubernetes API server (test/fakes/kubernetes.ts), after the API
 * concepts page (https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes):
 *
 * - `GET /api/v1/namespaces/{ns}/secrets?watch=true` streams newline-delimited JSON `WatchEvent`s
 *   `{type: ADDED|MODIFIED|DELETED|BOOKMARK|ERROR, object}` as chunks of one 200 reply, headers
 *   flushed at once; `fieldSelector=metadata.name=X` and `labelSelector=k=v` filter;
 * - `resourceVersion` unset (or "0"): the current objects as synthetic ADDED events, then changes;
 *   set: every change after it, replayed from the history, then live ones; a version older than the
 *   history kept (see `compact()`) is "too old": an ERROR event with a `Status` of code 410
 *   (reason Expired), as the API server sends it, or HTTP 410 Gone (`goneAs: "status"`);
 * - `allowWatchBookmarks=true`: a BOOKMARK (an object with only `metadata.resourceVersion`) on
 *   `bookmark()` and before the server ends the stream;
 * - `timeoutSeconds`: the server ends the stream after it (or after `maxTimeoutSeconds`, as an API
 *   server ends every watch within its own request timeout).
 */
import type { FakeRequest, FakeResponse } from "./http-fake.js";

/** One change as the history keeps it. */
export interface WatchRecord {
  type: "ADDED" | "MODIFIED" | "DELETED";
  resourceVersion: number;
  namespace: string;
  name: string;
  labels?: Record<string, string>;
  /** The object as the API returns it (the Secret, with its data: a watch carries values). */
  object: unknown;
}

/** The watch state of the fake: history, open streams, and the knobs tests turn. */
export interface FakeWatches {
  /** Every change since the last `compact()`. */
  history: WatchRecord[];
  /** Watch requests with a resourceVersion below this get 410. */
  compactedBelow: number;
  /** How a too-old resourceVersion is answered. @default "event" */
  goneAs: "event" | "status";
  /** When set, every watch request is answered with this HTTP status (a `Status` failure), others are served. */
  refuseWith?: number;
  /** The longest a stream stays open, whatever `timeoutSeconds` asks. */
  maxTimeoutSeconds?: number;
  /** Streams open now. */
  readonly open: number;
  /** Watch requests served (opened), in total. */
  opened: number;
  /** Forgets the history: a watch from any version seen so far is now "too old". */
  compact(): void;
  /** Sends a BOOKMARK at the current resourceVersion on every stream that asked for them. */
  bookmark(): void;
  /** Cuts every open stream (the connection drops, no clean end). */
  drop(): void;
  /** Ends every open stream cleanly (as at `timeoutSeconds`). */
  endAll(): void;
}

/** Makes the watch state; `current()` is the fake's resourceVersion now, `objects(ns)` its Secrets. */
export function createFakeWatches(current: () => number, objects: (namespace: string) => WatchRecord[]) {
  const streams = new Set<WatchStreamState>();
  const watches: FakeWatches & { record(r: WatchRecord): void; serve(req: FakeRequest, namespace: string): FakeResponse } = {
    history: [],
    compactedBelow: 0,
    goneAs: "event",
    get open() {
      return streams.size;
    },
    opened: 0,
    compact() {
      watches.history = [];
      watches.compactedBelow = current();
    },
    bookmark() {
      for (const s of streams) if (s.bookmarks) s.push({ type: "BOOKMARK", object: bookmarkObject(current()) });
    },
    drop() {
      for (const s of [...streams]) s.fail();
    },
    endAll() {
      for (const s of [...streams]) s.end();
    },
    record(r) {
      watches.history.push(r);
      for (const s of streams) if (s.matches(r)) s.push({ type: r.type, object: r.object });
    },
    serve(req, namespace) {
      const q = req.query;
      if (watches.refuseWith !== undefined) {
        return { status: watches.refuseWith, json: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "the server is currently unable to handle the request", reason: "ServiceUnavailable", code: watches.refuseWith } };
      }
      const filter = selectorOf(q.get("fieldSelector"), q.get("labelSelector"), namespace);
      const rvText = q.get("resourceVersion") ?? "";
      const from = rvText === "" || rvText === "0" ? undefined : Number(rvText);
      if (from !== undefined && (!Number.isInteger(from) || from < watches.compactedBelow)) {
        const gone = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: `too old resource version: ${rvText} (${watches.compactedBelow})`, reason: "Expired", code: 410 };
        if (watches.goneAs === "status") return { status: 410, json: { ...gone, reason: "Gone" } };
        return { status: 200, headers: { "content-type": "application/json" }, stream: oneShot(gone) };
      }
      const stream = new WatchStreamState(filter, q.get("allowWatchBookmarks") === "true", () => streams.delete(stream));
      const initial = from === undefined ? objects(namespace).filter(filter) : watches.history.filter((r) => r.resourceVersion > from && filter(r));
      for (const r of initial) stream.push({ type: from === undefined ? "ADDED" : r.type, object: r.object });
      streams.add(stream);
      watches.opened++;
      const asked = Number(q.get("timeoutSeconds") ?? "1800");
      const seconds = Math.min(Number.isFinite(asked) && asked > 0 ? asked : 1800, watches.maxTimeoutSeconds ?? Infinity);
      const timer = setTimeout(() => {
        if (stream.bookmarks) stream.push({ type: "BOOKMARK", object: bookmarkObject(current()) });
        stream.end();
      }, seconds * 1000);
      timer.unref();
      stream.onClose = () => clearTimeout(timer);
      return { status: 200, headers: { "content-type": "application/json" }, stream, onClose: () => stream.end() };
    },
  };
  return watches;
}

// --- internal ---

type Filter = (r: WatchRecord) => boolean;

function selectorOf(field: string | null, label: string | null, namespace: string): Filter {
  const name = field ? /^metadata\.name=([a-z0-9.-]+)$/.exec(field)?.[1] : undefined;
  const labels = (label ?? "").split(",").filter(Boolean).map((p) => p.split("=") as [string, string]);
  return (r) => r.namespace === namespace && (name === undefined || r.name === name) && labels.every(([k, v]) => r.labels?.[k] === v);
}

function bookmarkObject(rv: number): unknown {
  return { kind: "Secret", apiVersion: "v1", metadata: { resourceVersion: String(rv) } };
}

async function* oneShot(status: unknown): AsyncIterable<string> {
  yield `${JSON.stringify({ type: "ERROR", object: status })}\n`;
}

/** One open stream: a queue of lines the HTTP reply writes as they come. */
class WatchStreamState implements AsyncIterable<string> {
  private queue: string[] = [];
  private wake: (() => void) | undefined;
  private state: "open" | "ended" | "failed" = "open";
  onClose: () => void = () => undefined;

  constructor(
    readonly matches: Filter,
    readonly bookmarks: boolean,
    private readonly remove: () => void,
  ) {}

  push(event: { type: string; object: unknown }): void {
    if (this.state !== "open") return;
    this.queue.push(`${JSON.stringify(event)}\n`);
    this.wake?.();
  }

  end(): void {
    this.close("ended");
  }

  fail(): void {
    this.close("failed");
  }

  private close(state: "ended" | "failed"): void {
    if (this.state !== "open") return;
    this.state = state;
    this.remove();
    this.onClose();
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<string> {
    try {
      for (;;) {
        if (this.queue.length > 0) yield this.queue.shift()!;
        else if (this.state === "failed") throw new Error("connection dropped");
        else if (this.state === "ended") return;
        else await new Promise<void>((r) => (this.wake = r));
      }
    } finally {
      this.close("ended"); // the client went away
    }
  }
}
