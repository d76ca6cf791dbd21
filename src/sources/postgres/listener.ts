/**
 * Change propagation of the `postgres` source: one dedicated session connection per source that
 * LISTENs on the schema's channel. A write NOTIFYs in its own transaction (environment, secret
 * id, version, change sequence); the listener turns the secret ids into names and tells its
 * subscribers (the manager drops those cache entries; `hush run --watch` restarts the child).
 *
 * Notifications are never replayed by PostgreSQL, so the listener keeps the last change
 * sequence it saw. After a lost connection (a restart, `pg_terminate_backend`, a network cut) it
 * reconnects with jittered backoff, LISTENs first, then re-reads every change after that
 * sequence (and, for transactions that took a sequence number earlier but committed later, those
 * stamped in the minute before it lost the connection) and reports them once, as one change.
 */
import type { PgClient as Client, PgNotification as Notification } from "./pg-types.js";
import { quoteIdent } from "./connect.js";
import { namesOfIds } from "./read.js";
import type { PgStore } from "./store-context.js";
import { jitterMs } from "../remote/jitter.js";

/** The listener of one source. */
export interface ChangeListener {
  /** Adds a subscriber (starts listening with the first); returns the function that removes it. */
  subscribe(onChange: (names: string[] | undefined) => void): () => void;
  /** Stops listening and closes the connection. Idempotent. */
  stop(): Promise<void>;
  /** Resolves once LISTEN is in place (tests, benchmarks). */
  ready(): Promise<void>;
}

/** Creates the listener; it connects when the first subscriber arrives. */
export function createChangeListener(store: PgStore, onWarning: (message: string) => void): ChangeListener {
  const state: ListenerState = { store, onWarning, subscribers: new Set(), failures: 0, stopped: false, readyWaiters: [], pendingIds: new Set(), flushing: false };
  return {
    subscribe(onChange) {
      state.subscribers.add(onChange);
      start(state);
      return () => {
        state.subscribers.delete(onChange);
      };
    },
    ready() {
      if (state.client || state.stopped) return Promise.resolve();
      return new Promise((r) => state.readyWaiters.push(r));
    },
    async stop() {
      state.stopped = true;
      state.subscribers.clear();
      if (state.timer) clearTimeout(state.timer);
      state.timer = undefined;
      await state.running?.catch(() => undefined);
      const c = state.client;
      state.client = undefined;
      for (const w of state.readyWaiters.splice(0)) w();
      await c?.end().catch(() => undefined);
    },
  };
}

// --- internal ---

interface ListenerState {
  store: PgStore;
  onWarning: (message: string) => void;
  subscribers: Set<(names: string[] | undefined) => void>;
  client?: Client;
  /** The last change sequence seen (a bigint as text). */
  lastSeq?: string;
  /** The database's clock when the current connection started listening. */
  connectedAt?: Date;
  failures: number;
  timer?: NodeJS.Timeout;
  stopped: boolean;
  running?: Promise<void>;
  readyWaiters: (() => void)[];
  pendingIds: Set<string>;
  flushing: boolean;
}

function emit(state: ListenerState, names: string[] | undefined): void {
  for (const s of [...state.subscribers]) s(names);
}

/** Resolves the ids gathered in this turn to names, in one query; unknown ids (destroyed) mean "anything". */
async function flush(state: ListenerState): Promise<void> {
  if (state.flushing) return;
  state.flushing = true;
  await new Promise((r) => setImmediate(r));
  const ids = [...state.pendingIds];
  state.pendingIds = new Set();
  state.flushing = false;
  if (ids.length === 0 || state.stopped) return;
  try {
    const names = await namesOfIds(state.store, ids);
    emit(state, names.length === ids.length ? names : undefined);
  } catch {
    emit(state, undefined); // the names could not be read: "anything may have changed" (the re-read reports the cause)
  }
}

function onNotification(state: ListenerState, n: Notification): void {
  if (!n.payload) return;
  let p: { e?: unknown; s?: unknown; q?: unknown };
  try {
    p = JSON.parse(n.payload) as typeof p;
  } catch {
    return; // not ours: hush only sends JSON on this channel
  }
  if (typeof p.q === "string" && /^\d+$/.test(p.q) && (state.lastSeq === undefined || BigInt(p.q) > BigInt(state.lastSeq))) state.lastSeq = p.q;
  if (p.e !== state.store.environment || typeof p.s !== "string") return;
  state.pendingIds.add(p.s);
  void flush(state);
}

async function connect(state: ListenerState): Promise<void> {
  const { store } = state;
  const c = await (await store.pools()).listener();
  // The listener must not keep a program alive that never calls dispose(): its socket is unref'd.
  (c as unknown as { connection?: { stream?: { unref?(): void } } }).connection?.stream?.unref?.();
  if (state.stopped) {
    await c.end().catch(() => undefined);
    return;
  }
  try {
    await listenOn(state, c);
  } catch (e) {
    await c.end().catch(() => undefined);
    throw e;
  }
  for (const w of state.readyWaiters.splice(0)) w();
}

/** LISTENs on `c`, then makes it the listener's connection and catches up on what was missed. */
async function listenOn(state: ListenerState, c: Client): Promise<void> {
  const { store } = state;
  c.on("notification", (n) => onNotification(state, n));
  c.on("error", () => lost(state, c));
  c.on("end", () => lost(state, c));
  await c.query(`LISTEN ${quoteIdent(store.channel)}`);
  const previousSeq = state.lastSeq;
  const previousAt = state.connectedAt;
  const now = await c.query<{ t: Date; q: string }>(`SELECT now() AS t, coalesce(max(seq), 0)::text AS q FROM ${store.s}.changes`);
  state.connectedAt = now.rows[0]!.t;
  state.client = c;
  state.failures = 0;
  if (previousSeq === undefined) state.lastSeq = now.rows[0]!.q;
  else await catchUp(state, c, previousSeq, previousAt);
}

/** Re-reads the changes missed while disconnected and reports them as one change. */
async function catchUp(state: ListenerState, c: Client, since: string, previousAt: Date | undefined): Promise<void> {
  const missed = await c.query<{ secret_id: string; q: string }>(
    `SELECT secret_id::text AS secret_id, max(seq)::text AS q FROM ${state.store.s}.changes
      WHERE environment = $1 AND (seq > $2 OR changed_at > $3::timestamptz - interval '60 seconds') GROUP BY secret_id`,
    [state.store.environment, since, previousAt ?? new Date(0)],
  );
  for (const r of missed.rows) if (BigInt(r.q) > BigInt(state.lastSeq ?? "0")) state.lastSeq = r.q;
  for (const r of missed.rows) state.pendingIds.add(r.secret_id);
  if (missed.rows.length > 0) await flush(state);
}

function lost(state: ListenerState, c: Client): void {
  if (state.client !== c) return;
  state.client = undefined;
  c.end().catch(() => undefined);
  schedule(state);
}

/** Reconnects after a jittered, growing wait (up to 5 s), while anyone subscribes. */
function schedule(state: ListenerState): void {
  if (state.stopped || state.timer || state.subscribers.size === 0) return;
  state.failures++;
  const delay = jitterMs(Math.min(5000, 100 * 2 ** Math.min(state.failures, 6)));
  state.timer = setTimeout(() => {
    state.timer = undefined;
    start(state);
  }, delay);
  state.timer.unref();
}

function start(state: ListenerState): void {
  if (state.stopped || state.client || state.running) return;
  state.running = connect(state)
    .catch(() => {
      if (state.failures === 0) state.onWarning(`postgres: the change listener cannot connect (schema ${state.store.schema}); changes made elsewhere reach this process once it reconnects (retrying).`);
      schedule(state);
    })
    .finally(() => (state.running = undefined));
}
