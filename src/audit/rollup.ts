/**
 * Roll-up of cached reads: an agent that reads its key before every LLM call makes a million
 * cached reads, and one record each is 436 MB of log that says the same thing a million times.
 * Cached reads are counted instead, per process (actor), environment, secret, version, source
 * and outcome, and written as one record per window carrying the count and the first and last
 * time (`time`, `count`, `last`). Uncached reads, writes, failures and denials never come here:
 * they stay one record each.
 *
 * - best-effort: nothing is written on the read path; each key's roll-up (every cached read of
 *   the window) is queued when the window ends, at `flush()`/`close()`, and at exit.
 * - required (fail-closed): the first cached read of a key in a window is written on its own
 *   and is durable before the value is served (reads of that key meanwhile wait for it and are
 *   denied with it); the following reads of the window are counted and served at once, and
 *   their roll-up is written durably when the window ends and at exit. A SIGKILL loses the
 *   count of the window in progress, never the fact that the process read the secret.
 *
 * One window per auditor: it opens at the first cached read and closes `windowMs` later.
 */
import type { AccessActor, AccessEvent } from "../types.js";

/** An access event that stands for `count` cached reads from `time` to `last`. */
export interface RolledUpEvent extends AccessEvent {
  count: number;
  last: Date;
}

/** Options of {@link createRollup}. */
export interface RollupOptions {
  /** Length of a window, in ms (> 0). */
  windowMs: number;
  /** Fail-closed: the first cached read of each key in a window is written durably on its own. */
  required: boolean;
  /** Writes one event now; in required mode resolves once durable. */
  recordFirst(event: AccessEvent): Promise<void>;
  /** Queues a roll-up for writing. */
  emit(event: RolledUpEvent): void;
}

/** See the module comment. */
export interface Rollup {
  /** Counts a cached read. Undefined: counted, nothing to wait for; a promise: wait for the durable first record. */
  add(event: AccessEvent): Promise<void> | undefined;
  /** Emits every key's roll-up and starts a new window (keys whose first record is still being written stay). */
  drain(): void;
  /** Keys counted in the current window. */
  readonly size: number;
  /** Stops the window timer. */
  stop(): void;
}

/** Creates the roll-up of one auditor. */
export function createRollup(options: RollupOptions): Rollup {
  // By actor object first (one per manager, reused for every event), then by the rest of the key.
  const slots = new Map<AccessActor, Map<string, Slot>>();
  let size = 0;
  let timer: NodeJS.Timeout | undefined;

  function startWindow(): void {
    if (timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      drain();
    }, options.windowMs);
    timer.unref();
  }

  function drain(): void {
    clearTimeout(timer);
    timer = undefined;
    for (const [actor, byKey] of slots) {
      for (const [key, slot] of byKey) {
        if (slot.pending) continue; // its first record is not durable yet: it belongs to the next window
        byKey.delete(key);
        size--;
        if (slot.count > 0) options.emit({ ...slot.template, time: slot.start!, count: slot.count, last: slot.end! });
      }
      if (byKey.size === 0) slots.delete(actor);
    }
    if (size > 0) startWindow();
  }

  return {
    get size() {
      return size;
    },
    add(event) {
      let byKey = slots.get(event.actor);
      if (byKey === undefined) slots.set(event.actor, (byKey = new Map()));
      const key = `${event.environment}\u0000${event.name}\u0000${event.version ?? ""}\u0000${event.source ?? ""}\u0000${event.outcome}`;
      const slot = byKey.get(key);
      if (slot !== undefined) {
        if (slot.pending) return slot.pending.then(() => count(slot, event));
        count(slot, event);
        return undefined;
      }
      const fresh: Slot = { template: event, count: 0, start: undefined, end: undefined, pending: undefined };
      byKey.set(key, fresh);
      size++;
      startWindow();
      if (!options.required) {
        count(fresh, event);
        return undefined;
      }
      const pending = options.recordFirst(event).then(
        () => {
          fresh.pending = undefined;
        },
        (e: unknown) => {
          // Not recorded, so not served: the next read of the key tries again.
          if (byKey.get(key) === fresh) {
            byKey.delete(key);
            size--;
          }
          throw e;
        },
      );
      fresh.pending = pending;
      return pending;
    },
    drain,
    stop() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}

// --- internal ---

interface Slot {
  /** The key's first event: environment, name, version, source, outcome and actor of the roll-up. */
  template: AccessEvent;
  /** Reads counted into the roll-up (in required mode, not the first: it has its own record). */
  count: number;
  start: Date | undefined;
  end: Date | undefined;
  /** Required mode: the first record, until durable. */
  pending: Promise<void> | undefined;
}

function count(slot: Slot, event: AccessEvent): void {
  if (slot.count++ === 0) slot.start = event.time;
  slot.end = event.time;
}
