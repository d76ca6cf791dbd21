/**
 * "Checked this turn": file-backed sources stat their files to see another process's writes,
 * and resolving a thousand names would stat them thousands of times. A `TurnFlag` remembers
 * that a check was made until the current event-loop turn ends (setImmediate), so a burst of
 * reads (one `resolve()`) costs one stat per file, and a change is seen from the next turn.
 */
export interface TurnFlag {
  /** True when `mark()` was called in this event-loop turn. */
  readonly fresh: boolean;
  mark(): void;
  /** Forgets the mark now (after this process changed the file itself). */
  reset(): void;
}

export function createTurnFlag(): TurnFlag {
  let fresh = false;
  let scheduled = false;
  return {
    get fresh() {
      return fresh;
    },
    mark() {
      fresh = true;
      if (scheduled) return;
      scheduled = true;
      setImmediate(() => {
        fresh = false;
        scheduled = false;
      });
    },
    reset() {
      fresh = false;
    },
  };
}
