/**
 * The sink interface: where audit entries go. The JSONL file sink and the stderr sink implement
 * it here; a PostgreSQL sink will implement it later (chaining records in its own table under a
 * transaction-level lock, with the same record format and hash, see record.ts).
 */
import type { AuditEntry, AuditRecord } from "./record.js";
import type { UnreadableTally } from "./unreadable-lines.js";

/** What the auditor tells a sink with each batch. */
export interface AuditAppendContext {
  /** True in fail-closed mode: the entries must be on stable storage (fsync) before resolving. */
  durable: boolean;
  /** Maps a secret id back to its name, for sinks allowed to show names (stderr, `--names`). */
  nameOf(secretId: string): string | undefined;
}

/**
 * An audit sink. `append` must persist the entries in order and resolve only once they are
 * persisted (durably when `context.durable`), or reject with a HushError. Appends from several
 * processes must never interleave and never be lost.
 */
export interface AuditSink {
  /** Short name for warnings and errors (`jsonl`, `stderr`, `postgres`). */
  readonly name: string;
  /**
   * True when a successful append means the record is kept (a file, a database). Fail-closed
   * mode serves a value only when at least one persistent sink took its record; stderr does not count.
   */
  readonly persistent: boolean;
  append(entries: readonly AuditEntry[], context: AuditAppendContext): Promise<void>;
  /**
   * The same, synchronously, for a process's `exit` event (`process.exit()`), where nothing
   * asynchronous runs any more. Sinks that cannot (a database) leave it out: what is queued at
   * `process.exit()` is then lost for them (`hush run` and `close()` flush before exiting).
   */
  appendSync?(entries: readonly AuditEntry[], context: AuditAppendContext): void;
  /**
   * Every stored record in order, for `audit log`, `report`, `review` (sinks that can read back).
   * A stored line or row that is not a record is not yielded: it is counted in `unreadable`.
   */
  read?(unreadable?: UnreadableTally): AsyncIterable<AuditRecord>;
  /** Releases files or connections. Idempotent. */
  close?(): Promise<void>;
}
