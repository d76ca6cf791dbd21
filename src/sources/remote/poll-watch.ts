/**
 * `watch` for backends that cannot push changes (Vault KV, AWS, Google): a poll every
 * `intervalMs` of a cheap snapshot (name → version, never values), reporting the names whose
 * version changed, appeared or went away. One timer for all subscribers, started with the first
 * and stopped with the last; it is unref'd, so it never keeps a process alive. A poll that fails
 * is said once (until one succeeds again), and never reported as a change.
 *
 * @example
 * source.watch = pollingWatch({ source: "vault", intervalMs: 30_000, snapshot: () => versionsByName(), onWarning });
 */
import type { SourceChange } from "../../types.js";

/** Options of {@link pollingWatch}. */
export interface PollingWatchOptions {
  source: string;
  intervalMs: number;
  /**
   * Name → a version tag (a number, an etag; never a value) and, when known, when that version was
   * written (ms): a version written after the subscription is reported even when the first poll,
   * racing with the write, already sees it.
   */
  snapshot(): Promise<ReadonlyMap<string, VersionTag>>;
  onWarning?(message: string): void;
}

/** A name's version as a poll sees it. */
export interface VersionTag {
  tag: string;
  writtenAt?: number;
}

/** A `watch` function that polls; `stopAll()` ends every subscription (dispose). */
export function pollingWatch(options: PollingWatchOptions): ((onChange: (change: SourceChange) => void) => () => void) & { stopAll(): void } {
  const subscribers = new Set<(change: SourceChange) => void>();
  let timer: NodeJS.Timeout | undefined;
  let last: ReadonlyMap<string, VersionTag> | undefined;
  let since = 0;
  let failing = false;
  let polling = false;

  const poll = async () => {
    if (polling) return;
    polling = true;
    try {
      const now = await options.snapshot();
      failing = false;
      const changed = last ? diff(last, now) : [...now].filter(([, v]) => v.writtenAt !== undefined && v.writtenAt >= since).map(([n]) => n);
      if (changed.length > 0) for (const s of [...subscribers]) s({ source: options.source, names: changed });
      last = now;
    } catch (e) {
      if (!failing) options.onWarning?.(`${options.source}: watching for changes failed (${(e as { code?: string }).code ?? "error"}); still trying every ${options.intervalMs < 1000 ? `${options.intervalMs} ms` : `${Math.round(options.intervalMs / 1000)} s`}.`);
      failing = true;
    } finally {
      polling = false;
    }
  };
  const stopTimer = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
    last = undefined;
  };
  const watch = (onChange: (change: SourceChange) => void) => {
    subscribers.add(onChange);
    if (!timer) {
      since = Date.now();
      void poll(); // the baseline
      timer = setInterval(() => void poll(), options.intervalMs);
      timer.unref();
    }
    return () => {
      subscribers.delete(onChange);
      if (subscribers.size === 0) stopTimer();
    };
  };
  return Object.assign(watch, {
    stopAll() {
      subscribers.clear();
      stopTimer();
    },
  });
}

// --- internal ---

function diff(before: ReadonlyMap<string, VersionTag>, after: ReadonlyMap<string, VersionTag>): string[] {
  const changed = new Set<string>();
  for (const [name, v] of after) if (before.get(name)?.tag !== v.tag) changed.add(name);
  for (const name of before.keys()) if (!after.has(name)) changed.add(name);
  return [...changed];
}
