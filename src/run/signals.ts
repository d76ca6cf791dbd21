/**
 * Signals for `hush run`: SIGINT, SIGTERM and SIGHUP sent to hush are passed on to the
 * child, and hush itself does not die of them (it waits for the child and returns its code).
 *
 * A SIGINT typed at a terminal reaches the child directly as well (it shares hush's process
 * group, which keeps the terminal usable for interactive programs), so such a child sees it
 * twice; `kill -INT <hush pid>` reaches it only through hush.
 */
import { constants } from "node:os";

/** The signals passed on to the child. */
export const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/** Something that can be signalled: the current child, if any. */
export interface SignalTarget {
  kill(signal: NodeJS.Signals): boolean;
}

/**
 * Installs handlers that pass {@link FORWARDED_SIGNALS} to `target()` and report them to
 * `onSignal`. Returns a function that removes the handlers.
 */
export function forwardSignals(target: () => SignalTarget | undefined, onSignal?: (signal: NodeJS.Signals) => void): () => void {
  const handlers = FORWARDED_SIGNALS.map((signal) => {
    const handler = (): void => {
      onSignal?.(signal);
      target()?.kill(signal);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) process.removeListener(signal, handler);
  };
}

/**
 * The exit code that stands for a child's end, as shells report it: its own code, or
 * 128 + n when signal n killed it.
 *
 * @example exitCodeOf(null, "SIGTERM") // 143
 */
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  if (signal !== null) return 128 + (constants.signals[signal] ?? 0);
  return 1;
}
