/**
 * Signals for `hush run`: SIGINT, SIGTERM and SIGHUP sent to hush are passed on to the
 * child, and hush itself does not die of them (it waits for the child and returns its code).
 *
 * The child shares hush's process group (which keeps the terminal usable for interactive
 * programs), so a Ctrl-C typed at the terminal, or a hang-up, is delivered by the kernel to
 * the whole foreground group: the child already has it. Forwarding it again would interrupt
 * the child's own graceful shutdown (a second SIGINT). So a SIGINT or SIGHUP is not forwarded
 * when the child's process group is the foreground group of hush's controlling terminal and
 * hush is in that group too: the terminal sent it to both. `kill -INT <hush pid>` from
 * elsewhere (a service manager, a test, a script without a terminal) is forwarded, as is every
 * SIGTERM (terminals never send it).
 *
 * Node offers no `siginfo`, so the sender cannot be read; the foreground test comes from
 * `/proc/<pid>/stat` (Linux). Where `/proc` is absent (macOS, BSD) every signal is forwarded,
 * as before. The one case this cannot tell apart: `kill -INT <hush pid>` sent to a hush that
 * is itself in the foreground of a terminal; the child then gets no SIGINT (send it to the
 * group, `kill -INT -<pgid>`, or press Ctrl-C). docs/security.md lists this.
 */
import { readFileSync } from "node:fs";
import { constants } from "node:os";

/** The signals passed on to the child. */
export const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/** Something that can be signalled: the current child, if any. */
export interface SignalTarget {
  kill(signal: NodeJS.Signals): boolean;
  /** Its process id, to tell whether a terminal already delivered the signal to it. */
  readonly pid?: number | undefined;
}

/** The signals a terminal sends to its whole foreground process group. */
const TERMINAL_SIGNALS: ReadonlySet<NodeJS.Signals> = new Set(["SIGINT", "SIGHUP"]);

/**
 * Installs handlers that pass {@link FORWARDED_SIGNALS} to `target()` and report them to
 * `onSignal`. Returns a function that removes the handlers.
 */
export function forwardSignals(target: () => SignalTarget | undefined, onSignal?: (signal: NodeJS.Signals) => void): () => void {
  const handlers = FORWARDED_SIGNALS.map((signal) => {
    const handler = (): void => {
      onSignal?.(signal);
      const child = target();
      if (!child) return;
      if (TERMINAL_SIGNALS.has(signal) && deliveredByTerminal(child.pid)) return;
      child.kill(signal);
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

/**
 * Whether a terminal signal (SIGINT, SIGHUP) that hush received has reached `childPid` as well:
 * true when hush and the child are both in the foreground process group of hush's controlling
 * terminal (Linux `/proc`). False whenever that cannot be read, so the signal is forwarded.
 */
export function deliveredByTerminal(childPid: number | undefined, procRoot = "/proc"): boolean {
  if (childPid === undefined) return false;
  const self = processGroupInfo(`${procRoot}/self/stat`);
  const child = processGroupInfo(`${procRoot}/${childPid}/stat`);
  if (!self || !child) return false;
  // tpgid is -1 (or 0) without a controlling terminal: then no terminal sent anything.
  return self.tpgid > 0 && self.pgrp === self.tpgid && child.pgrp === self.tpgid && child.session === self.session;
}

// --- internal ---

interface GroupInfo {
  pgrp: number;
  session: number;
  tpgid: number;
}

/** pgrp, session and tpgid from a `/proc/<pid>/stat` line, or undefined if unreadable. */
function processGroupInfo(path: string): GroupInfo | undefined {
  let text: string;
  try {
    text = readFileSync(path, "latin1");
  } catch {
    return undefined; // no /proc (macOS, BSD) or the child is gone: forward as before
  }
  // "pid (comm) state ppid pgrp session tty_nr tpgid …"; comm may hold spaces and parentheses.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const [pgrp, session, tpgid] = [fields[2], fields[3], fields[5]].map(Number);
  if (!Number.isInteger(pgrp) || !Number.isInteger(session) || !Number.isInteger(tpgid)) return undefined;
  return { pgrp: pgrp!, session: session!, tpgid: tpgid! };
}
