/**
 * The audit record and its hash chain, shared by every sink that chains records (the JSONL
 * file now, PostgreSQL later) and by `verify`.
 *
 * A record is `{ seq, time, env, secretId, action, outcome, source, version, errorCode,
 * actor: { user, host, pid, command }, prev, hash }`. Absent optional fields are `null`.
 * `hash` = lower-case hex SHA-256 of the UTF-8 bytes of the canonical JSON of the record
 * without its `hash` field. `prev` is a field, so the hash covers the link to the record before;
 * the first record's `prev` is {@link GENESIS_HASH}. Canonical JSON: object keys sorted by
 * UTF-16 code units at every level, no whitespace, strings and numbers as `JSON.stringify`
 * writes them. See docs/audit.md.
 */
import * as crypto from "node:crypto";
import { createHash } from "node:crypto";
import type { AccessAction, AccessActor, AccessOutcome } from "../types.js";

/** `prev` of the first record of a chain: 64 zeros. */
export const GENESIS_HASH = "0".repeat(64);

/** What the auditor hands to sinks: an access with the name replaced by its keyed id. */
export interface AuditEntry {
  /** ISO 8601 time with milliseconds, UTC. */
  time: string;
  env: string;
  /** Keyed id of the secret name (see secret-id.ts); never the name. */
  secretId: string;
  action: AccessAction;
  outcome: AccessOutcome;
  source: string | null;
  version: number | null;
  errorCode: string | null;
  actor: AccessActor;
}

/** One chained record as stored. */
export interface AuditRecord extends AuditEntry {
  /** 1, 2, 3, ... in the order the records were appended. */
  seq: number;
  /** `hash` of the record before, or GENESIS_HASH. */
  prev: string;
  hash: string;
}

/**
 * Canonical JSON: sorted keys at every level, no whitespace. Used for hashing only; the
 * stored line keeps the documented field order and is re-canonicalised when verified.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(",")}}`;
}

/** The chain hash of a record (any object; its `hash` field, if present, is left out). */
export function hashRecord(record: object): string {
  const { hash: _hash, ...rest } = record as { hash?: unknown };
  return createHash("sha256").update(canonicalJson(rest), "utf8").digest("hex");
}

/** Makes the chained record for `entry`, with its hash. */
export function chainEntry(entry: AuditEntry, seq: number, prev: string): AuditRecord {
  const a = entry.actor;
  const body = {
    seq,
    time: entry.time,
    env: entry.env,
    secretId: entry.secretId,
    action: entry.action,
    outcome: entry.outcome,
    source: entry.source ?? null,
    version: entry.version ?? null,
    errorCode: entry.errorCode ?? null,
    actor: { user: a.user, host: a.host, pid: a.pid, command: a.command },
    prev,
  };
  return { ...body, hash: createHash("sha256").update(fastCanonical(body), "utf8").digest("hex") };
}

/**
 * The stored line and hash of `entry` chained at `seq` after `prev`, built as strings without
 * intermediate objects (the batched writer's hot path). Same result as
 * `formatRecordLine(chainEntry(entry, seq, prev))`; `prev` must be 64 hex digits.
 */
export function encodeRecord(entry: AuditEntry, seq: number, prev: string): { line: string; hash: string } {
  const actor = actorJson(entry.actor);
  const time = json(entry.time);
  const env = json(entry.env);
  const id = json(entry.secretId);
  const action = json(entry.action);
  const outcome = json(entry.outcome);
  const source = json(entry.source ?? null);
  const version = entry.version === null || entry.version === undefined ? "null" : JSON.stringify(entry.version);
  const errorCode = json(entry.errorCode ?? null);
  const canonical =
    `{"action":${action},"actor":${actor.canonical},"env":${env},"errorCode":${errorCode},"outcome":${outcome},"prev":"${prev}"` +
    `,"secretId":${id},"seq":${seq},"source":${source},"time":${time},"version":${version}}`;
  const hash = sha256Hex(canonical);
  const line =
    `{"seq":${seq},"time":${time},"env":${env},"secretId":${id},"action":${action},"outcome":${outcome},"source":${source}` +
    `,"version":${version},"errorCode":${errorCode},"actor":${actor.stored},"prev":"${prev}","hash":"${hash}"}`;
  return { line, hash };
}

/** The stored line of a record (documented field order, no newline). */
export function formatRecordLine(record: AuditRecord): string {
  return JSON.stringify(record);
}

/** True when `o` has the shape of a record (field types only; the hash is checked elsewhere). */
export function isAuditRecord(o: unknown): o is AuditRecord {
  if (typeof o !== "object" || o === null || Array.isArray(o)) return false;
  const r = o as Record<string, unknown>;
  const actor = r.actor as Record<string, unknown> | null;
  return (
    Number.isSafeInteger(r.seq) && (r.seq as number) >= 1 &&
    typeof r.time === "string" && typeof r.env === "string" && typeof r.secretId === "string" &&
    typeof r.action === "string" && typeof r.outcome === "string" &&
    (r.source === null || typeof r.source === "string") &&
    (r.version === null || typeof r.version === "number") &&
    (r.errorCode === null || typeof r.errorCode === "string") &&
    typeof actor === "object" && actor !== null && typeof actor.user === "string" && typeof actor.host === "string" &&
    typeof actor.pid === "number" && typeof actor.command === "string" &&
    typeof r.prev === "string" && typeof r.hash === "string" && /^[0-9a-f]{64}$/.test(r.hash)
  );
}

// --- internal ---

/** One-shot `crypto.hash` (Node >= 20.12) saves an object per record; older Node uses createHash. */
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, encoding: "hex") => string }).hash;

function sha256Hex(text: string): string {
  return oneShotHash ? oneShotHash("sha256", text, "hex") : createHash("sha256").update(text, "utf8").digest("hex");
}

const jsonMemo = new Map<string, string>();

/** JSON.stringify of the few distinct strings (env, ids, actions, sources), memoised. */
function json(value: string | null): string {
  if (value === null) return "null";
  let text = jsonMemo.get(value);
  if (text === undefined) {
    text = JSON.stringify(value);
    if (jsonMemo.size >= 4096) jsonMemo.clear();
    jsonMemo.set(value, text);
  }
  return text;
}

interface ActorJson extends AccessActor {
  canonical: string;
  stored: string;
}

const actorMemo = new WeakMap<AccessActor, ActorJson>();

/** The actor's canonical and stored JSON, memoised per actor object (checked field by field). */
function actorJson(a: AccessActor): ActorJson {
  const m = actorMemo.get(a);
  if (m && m.user === a.user && m.host === a.host && m.pid === a.pid && m.command === a.command) return m;
  const [user, host, pid, command] = [JSON.stringify(a.user), JSON.stringify(a.host), JSON.stringify(a.pid), JSON.stringify(a.command)];
  const fresh = {
    user: a.user, host: a.host, pid: a.pid, command: a.command,
    canonical: `{"command":${command},"host":${host},"pid":${pid},"user":${user}}`,
    stored: `{"user":${user},"host":${host},"pid":${pid},"command":${command}}`,
  };
  actorMemo.set(a, fresh);
  return fresh;
}

type Body = Omit<AuditRecord, "hash">;

/** canonicalJson for the known record shape, keys written in sorted order directly (hot path). */
function fastCanonical(b: Body): string {
  const s = JSON.stringify;
  const a = b.actor;
  return (
    `{"action":${s(b.action)},"actor":{"command":${s(a.command)},"host":${s(a.host)},"pid":${s(a.pid)},"user":${s(a.user)}}` +
    `,"env":${s(b.env)},"errorCode":${s(b.errorCode)},"outcome":${s(b.outcome)},"prev":${s(b.prev)}` +
    `,"secretId":${s(b.secretId)},"seq":${b.seq},"source":${s(b.source)},"time":${s(b.time)},"version":${s(b.version)}}`
  );
}
