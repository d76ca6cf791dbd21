/**
 * The audit record and its hash chain, shared by every sink that chains records (the JSONL
 * file, PostgreSQL) and by `verify`.
 *
 * Two record forms verify; hush writes the second.
 *
 * - v1 (no `v` field): `{ seq, time, env, secretId, action, outcome, source, version,
 *   errorCode, actor: { user, host, pid, command }, prev, hash }`; `hash` = lower-case hex
 *   SHA-256 of the canonical JSON of the record without `hash` (keys sorted at every level, no
 *   whitespace). Checking it means parsing and re-serialising every record.
 * - v2: the line is `{"v":2,"seq":…,"prev":"…","time":"…",["count":…,"last":"…",]"env":…,
 *   "secretId":…,"action":…,"outcome":…,"source":…,"version":…,"errorCode":…,"actor":{"user":…,
 *   "host":…,"pid":…,"command":…}[,"seal":"<64 hex>"],"hash":"<64 hex>"}` in exactly that
 *   order, values as `JSON.stringify` writes them, and `hash` = SHA-256 of the line's bytes
 *   before `,"hash":"`. `count` and `last` appear on roll-ups only: `count` cached reads from
 *   `time` to `last`. `seal` is on the last line of each append: SHA-256 of the bytes (newlines
 *   included) of the lines of the same append before it, so `verify` hashes an append's lines
 *   in one call (per-call cost, not bytes, is what limits hashing line by line) and reads only
 *   `seq` per line (see verify-fast.ts).
 *
 * Absent optional fields are `null`. `prev` is a field, so the hash covers the link to the
 * record before; the first record's `prev` is {@link GENESIS_HASH}. See docs/audit.md.
 */
import * as crypto from "node:crypto";
import { createHash } from "node:crypto";
import type { AccessAction, AccessActor, AccessOutcome, GatewayRequestDetail } from "../types.js";

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
  /** A roll-up of cached reads: how many, from `time` to `last`. Absent: one access. */
  count?: number;
  /** A roll-up's last read (ISO time). */
  last?: string;
  /** A `gateway-request`'s facts; stored after `actor` as `"detail":{route,method,path,status,bytesIn,bytesOut,latencyMs,runId,via[,inputTokens,outputTokens[,tokensEstimated]]}`. */
  detail?: GatewayRequestDetail;
}

/** A stored record's own fields besides the entry's. */
interface ChainFields {
  /** 2 for the byte-hashed form; absent in v1 records (canonical-JSON hash). */
  v?: 2;
  /** 1, 2, 3, ... in the order the records were appended. */
  seq: number;
  /** `hash` of the record before, or GENESIS_HASH. */
  prev: string;
  /** v2, last line of an append: SHA-256 (hex) of the append's earlier lines' bytes. */
  seal?: string;
  hash: string;
}

/** One chained record as stored. */
export interface AuditRecord extends AuditEntry, ChainFields {}

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

/** The chain hash of a record (any object; its `hash` field, if present, is left out), by its form (v1 or v2). */
export function hashRecord(record: object): string {
  const { hash: _hash, ...rest } = record as { hash?: unknown; v?: unknown };
  if (rest.v === 2) return sha256Hex(v2Body(rest as unknown as AuditRecord));
  return createHash("sha256").update(canonicalJson(rest), "utf8").digest("hex");
}

/** Bytes at the end of a v2 line after its body: `,"hash":"` + 64 hex + `"}`. */
export const V2_HASH_SUFFIX_BYTES = 75;
/** How a v2 line starts. */
export const V2_PREFIX = '{"v":2,"seq":';
/** Bytes of a v2 line's seal before its hash suffix: `,"seal":"` + 64 hex + `"`. */
export const V2_SEAL_BYTES = 74;
/** How the seal starts. */
export const V2_SEAL_FIELD = ',"seal":"';

/** Makes the chained (v2) record for `entry`, with its hash; its JSON.stringify is the stored line. */
export function chainEntry(entry: AuditEntry, seq: number, prev: string): AuditRecord {
  const a = entry.actor;
  const body: AuditRecord = { v: 2, seq, prev, time: entry.time } as AuditRecord;
  if (entry.count !== undefined) Object.assign(body, { count: entry.count, last: entry.last ?? entry.time });
  Object.assign(body, {
    env: entry.env,
    secretId: entry.secretId,
    action: entry.action,
    outcome: entry.outcome,
    source: entry.source ?? null,
    version: entry.version ?? null,
    errorCode: entry.errorCode ?? null,
    actor: { user: a.user, host: a.host, pid: a.pid, command: a.command },
  });
  if (entry.detail !== undefined) body.detail = orderedDetail(entry.detail);
  body.hash = sha256Hex(v2Body(body));
  return body;
}

/** A v1 record (canonical-JSON hash), as hush wrote before v2; for tests of old logs. */
export function chainEntryV1(entry: AuditEntry, seq: number, prev: string): AuditRecord {
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
export function encodeRecord(entry: AuditEntry, seq: number, prev: string, seal?: string): { line: string; hash: string } {
  const sealed = seal === undefined ? "" : `${V2_SEAL_FIELD}${seal}"`;
  const body = `${V2_PREFIX}${seq},"prev":"${prev}","time":${json(entry.time)}${rollupJson(entry)}${entryTail(entry)}${sealed}`;
  const hash = sha256Hex(body);
  return { line: `${body},"hash":"${hash}"}`, hash };
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
    (r.v === undefined || r.v === 2) &&
    (r.count === undefined || (Number.isSafeInteger(r.count) && (r.count as number) >= 1)) &&
    (r.last === undefined || typeof r.last === "string") &&
    (r.seal === undefined || typeof r.seal === "string") &&
    (r.detail === undefined || (typeof r.detail === "object" && r.detail !== null && !Array.isArray(r.detail))) &&
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

/** The v2 body of a record: its line up to (not including) `,"hash":"`. */
function v2Body(r: AuditRecord): string {
  const seal = r.seal === undefined ? "" : `,"seal":${JSON.stringify(r.seal)}`;
  return `${V2_PREFIX}${JSON.stringify(r.seq)},"prev":${JSON.stringify(r.prev)},"time":${JSON.stringify(r.time)}${rollupJson(r)}${entryTail(r)}${seal}`;
}

function rollupJson(e: AuditEntry): string {
  return e.count === undefined ? "" : `,"count":${JSON.stringify(e.count)},"last":${JSON.stringify(e.last ?? e.time)}`;
}

/** `,"env":…` up to the actor's closing brace: the part of a line that repeats per process and secret. */
function entryTail(e: AuditEntry): string {
  const version = e.version === null || e.version === undefined ? "null" : JSON.stringify(e.version);
  return (
    `,"env":${json(e.env)},"secretId":${json(e.secretId)},"action":${json(e.action)},"outcome":${json(e.outcome)}` +
    `,"source":${json(e.source ?? null)},"version":${version},"errorCode":${json(e.errorCode ?? null)},"actor":${actorJson(e.actor).stored}` +
    (e.detail === undefined ? "" : `,"detail":${JSON.stringify(orderedDetail(e.detail))}`)
  );
}

/** A gateway detail with its keys in the documented order (the hash covers the bytes). */
function orderedDetail(d: GatewayRequestDetail): GatewayRequestDetail {
  const out: GatewayRequestDetail = { route: d.route, method: d.method, path: d.path, status: d.status, bytesIn: d.bytesIn, bytesOut: d.bytesOut, latencyMs: d.latencyMs, runId: d.runId, via: d.via };
  if (d.inputTokens === undefined) return out;
  return { ...out, inputTokens: d.inputTokens, outputTokens: d.outputTokens, ...(d.tokensEstimated ? { tokensEstimated: true } : {}) };
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
