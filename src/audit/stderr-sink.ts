/**
 * The stderr sink, for debugging: one line per access on a stream (stderr by default).
 * Secrets appear by id unless `names: true` is given explicitly, because stderr ends up in logs.
 * It is not persistent: in fail-closed mode it never counts as having kept a record.
 *
 * @example
 * createStderrSink({ names: true }) // hush: audit: 2026-01-01T00:00:00.000Z dev read served openai_api_key local v3 alice@box pid 42
 */
import type { AuditEntry } from "./record.js";
import type { AuditAppendContext, AuditSink } from "./sink.js";

/** Options of {@link createStderrSink}. */
export interface StderrSinkOptions {
  /** Where lines go. @default process.stderr */
  stream?: { write(text: string): unknown };
  /** Show secret names (mapped back from ids) instead of ids. @default false */
  names?: boolean;
}

/** Creates the stderr sink. */
export function createStderrSink(options: StderrSinkOptions = {}): AuditSink {
  return {
    name: "stderr",
    persistent: false,
    async append(entries: readonly AuditEntry[], context: AuditAppendContext) {
      const stream = options.stream ?? process.stderr;
      let text = "";
      for (const e of entries) text += formatEntry(e, options.names ? context.nameOf(e.secretId) : undefined) + "\n";
      stream.write(text);
    },
  };
}

/** One human line for an entry; `name` replaces the id when given. */
export function formatEntry(e: AuditEntry, name?: string): string {
  const who = `${e.actor.user}@${e.actor.host} pid ${e.actor.pid}`;
  const secret = name ?? `id:${e.secretId.slice(0, 16)}`;
  const extra = [e.source ?? "-", e.version === null ? "" : `v${e.version}`, e.errorCode ?? ""].filter(Boolean).join(" ");
  const rolled = e.count === undefined ? "" : ` x${e.count} (cached, until ${e.last ?? e.time})`;
  return `hush: audit: ${e.time} ${e.env} ${e.action} ${e.outcome}${rolled} ${secret} ${extra} ${who}`;
}
