/**
 * Records of refused requests that match no route (a Host that is not the gateway's, an
 * absolute-URL target, a name that is no route, CONNECT, an upgrade, a malformed or too slow
 * request). Anyone on the machine can send these, as fast as they like, so their records are
 * rate-limited: at most `perWindow` records per window of `windowMs` (20 per minute by default),
 * one per request; the rest of the window is counted, and when the window ends (or the gateway
 * closes) one roll-up record per refusal code says how many there were (`count`, first and last
 * time). A flood then writes at most `perWindow` + one per code a window, whatever its rate.
 */
import type { UnroutedRequestFacts } from "./audit.js";

/** The limits of {@link createUnroutedAudit}. */
export interface UnroutedAuditLimits {
  /** Records written one per request in a window. @default 20 */
  perWindow?: number;
  /** Length of a window in ms. @default 60000 */
  windowMs?: number;
  /** For tests. @default Date.now */
  now?(): number;
}

/** One record's facts, or a roll-up's: `count` requests from `first` to `last`. */
export type UnroutedRecord = UnroutedRequestFacts & { rollup?: { count: number; first: Date; last: Date } };

/** The limiter: `add` one refusal; `flush` writes the window's roll-ups now (at close). */
export interface UnroutedAudit {
  add(facts: UnroutedRequestFacts): void;
  flush(): void;
}

/** Creates the limiter over `write` (which writes one record and never throws). */
export function createUnroutedAudit(write: (record: UnroutedRecord) => void, limits: UnroutedAuditLimits = {}): UnroutedAudit {
  const perWindow = limits.perWindow ?? 20;
  const windowMs = limits.windowMs ?? 60_000;
  const now = limits.now ?? Date.now;
  let windowStart = -Infinity;
  let written = 0;
  let timer: NodeJS.Timeout | undefined;
  const held = new Map<string, { facts: UnroutedRequestFacts; count: number; bytesOut: number; first: number; last: number }>();

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    for (const h of held.values()) {
      write({ ...h.facts, method: "-", bytesOut: h.bytesOut, latencyMs: 0, rollup: { count: h.count, first: new Date(h.first), last: new Date(h.last) } });
    }
    held.clear();
  };
  return {
    add(facts) {
      const t = now();
      if (t - windowStart >= windowMs) {
        flush();
        windowStart = t;
        written = 0;
      }
      if (written < perWindow) {
        written += 1;
        return write(facts);
      }
      const key = `${facts.errorCode} ${facts.status}`;
      const h = held.get(key) ?? { facts, count: 0, bytesOut: 0, first: t, last: t };
      h.count += 1;
      h.bytesOut += facts.bytesOut;
      h.last = t;
      held.set(key, h);
      if (!timer) {
        timer = setTimeout(flush, Math.max(0, windowStart + windowMs - t));
        timer.unref();
      }
    },
    flush,
  };
}
