/**
 * The two keyed files beside a JSONL audit log (see docs/audit.md, "Anchor and start marker"):
 *
 * - the anchor `audit.<env>.head`: the head of the chain (last seq, its hash, the record count),
 *   the id of the chain's start marker, and while an append is under way the head it will leave
 *   (`pending`), all under one HMAC. The hash chain shows edits, deletions and reordering inside
 *   the log; only something outside the log can show records cut from its end, records added
 *   by someone without the key, or a log rolled back. Rewritten in place (one fixed-size
 *   positional write) before and after every append, under the log's lock.
 * - the start marker `audit.<env>.start`: written once, before the first record of a chain, and
 *   never rewritten or removed by hush. It says "this environment has an audit log", so a log
 *   deleted together with its anchor is not mistaken for one that never existed.
 *
 * Both MACs are HMAC-SHA256 under the anchor key (`deriveAuditKeys`), compared in constant time.
 */
import { closeSync, constants, fsyncSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { HushError } from "../errors.js";

/** A head of the chain: its last record's seq and hash, and how many records the chain holds. */
export interface AnchorHead {
  seq: number;
  hash: string;
  records: number;
}

/** What the anchor says. */
export interface AuditAnchor {
  /** 1: a legacy anchor (seq and hash only, no start id, no count); 2: the current one. */
  version: 1 | 2;
  /** Id of the chain's start marker (undefined in a v1 anchor). */
  start: string | undefined;
  head: AnchorHead;
  /** The head an append under way will leave (written before its records, cleared after). */
  pending: AnchorHead | undefined;
  /** true / false when a key was given and the MAC checked; undefined without a key. */
  macValid: boolean | undefined;
}

/** What the start marker says. */
export interface AuditStartMarker {
  id: string;
  /** ISO time the chain was started. */
  time: string;
  /** The key provider (`file`, `user`, `aws-kms`, ...) that gave the key when the chain started; absent in older markers. */
  keyProvider?: string;
  /** true / false when a key was given and the MAC checked; undefined without a key. */
  macValid: boolean | undefined;
}

/** `.../audit.dev.jsonl` -> `.../audit.dev.head`. */
export function anchorPathOf(logPath: string): string {
  return logPath.replace(/\.jsonl$/, "") + ".head";
}

/** `.../audit.dev.jsonl` -> `.../audit.dev.start`. */
export function startMarkerPathOf(logPath: string): string {
  return logPath.replace(/\.jsonl$/, "") + ".start";
}

/**
 * Writes the anchor (mode 0600 at creation), in place. `sync`: fsync it. `create`: the anchor
 * must not exist yet (O_EXCL); a failed write then removes the file it created.
 */
export function writeAnchor(path: string, env: string, anchor: { start: string; head: AnchorHead; pending?: AnchorHead }, anchorKey: Buffer | undefined, sync: boolean, create = false): void {
  const body: Record<string, unknown> = { v: 2, env, start: anchor.start, seq: anchor.head.seq, hash: anchor.head.hash, records: anchor.head.records };
  if (anchor.pending) body.pending = { ...anchor.pending };
  if (anchorKey) body.mac = anchorMac(anchorKey, env, anchor.start, anchor.head, anchor.pending);
  const text = JSON.stringify(body);
  if (Buffer.byteLength(text) >= ANCHOR_BYTES) throw new HushError("WRITE_FAILED", `The audit anchor for environment ${JSON.stringify(env.slice(0, 40))} does not fit in ${ANCHOR_BYTES} bytes.`);
  const buf = Buffer.alloc(ANCHOR_BYTES, " ");
  buf.write(text, 0, "utf8");
  buf[ANCHOR_BYTES - 1] = 10;
  writeFixed(path, buf, sync, create);
}

/**
 * Reads the anchor: undefined when there is none, "malformed" when it cannot be read as one.
 * With `anchorKey`, the MAC is checked in constant time. A v1 anchor is read with its own MAC.
 */
export function readAnchor(path: string, env: string, anchorKey?: Buffer): AuditAnchor | "malformed" | undefined {
  const o = readJsonFile(path, "anchor");
  if (o === undefined || o === "malformed") return o;
  const head = headOf(o, o.v === 2);
  if (!head) return "malformed";
  if (o.v === 2) {
    const pending = o.pending === undefined ? undefined : headOf(o.pending as Record<string, unknown>, true);
    if (typeof o.start !== "string" || pending === false) return "malformed";
    const mac = anchorKey && anchorMac(anchorKey, env, o.start, head, pending);
    return { version: 2, start: o.start, head, pending, macValid: checkMac(mac, o.mac) };
  }
  const mac = anchorKey && createHmac("sha256", anchorKey).update(`hush audit anchor v1\n${env}\n${head.seq}\n${head.hash}`, "utf8").digest("hex");
  return { version: 1, start: undefined, head, pending: undefined, macValid: checkMac(mac, o.mac) };
}

/**
 * Creates the start marker of a new chain (O_EXCL, mode 0600) and returns its id.
 * Throws WRITE_FAILED when it exists already or cannot be written (then it is removed again).
 */
export function writeStartMarker(path: string, env: string, anchorKey: Buffer | undefined, sync: boolean, keyProvider?: string): string {
  const id = randomBytes(16).toString("hex");
  const time = new Date().toISOString();
  writeFixed(path, Buffer.from(startMarkerText(env, { id, time, keyProvider }, anchorKey)), sync, true);
  return id;
}

/** The start marker's text for `marker`, with its MAC under `anchorKey` (also used to re-key a marker: src/audit/rekey.ts). */
export function startMarkerText(env: string, marker: { id: string; time: string; keyProvider?: string }, anchorKey: Buffer | undefined): string {
  const { id, time, keyProvider } = marker;
  const provider = keyProvider !== undefined && /^[a-z][a-z0-9-]{0,31}$/.test(keyProvider) ? keyProvider : undefined;
  const body: Record<string, unknown> = { v: 1, env, id, time, ...(provider ? { keyProvider: provider } : {}) };
  if (anchorKey) body.mac = markerMac(anchorKey, env, id, time, provider);
  return JSON.stringify(body) + "\n";
}

/** Reads the start marker: undefined when there is none, "malformed" when it cannot be read as one. */
export function readStartMarker(path: string, env: string, anchorKey?: Buffer): AuditStartMarker | "malformed" | undefined {
  const o = readJsonFile(path, "start marker");
  if (o === undefined || o === "malformed") return o;
  if (typeof o.id !== "string" || !/^[0-9a-f]{32}$/.test(o.id) || typeof o.time !== "string") return "malformed";
  if (o.keyProvider !== undefined && (typeof o.keyProvider !== "string" || !/^[a-z][a-z0-9-]{0,31}$/.test(o.keyProvider))) return "malformed";
  const keyProvider = o.keyProvider as string | undefined;
  const mac = anchorKey && markerMac(anchorKey, env, o.id, o.time, keyProvider);
  return { id: o.id, time: o.time, ...(keyProvider ? { keyProvider } : {}), macValid: checkMac(mac, o.mac) };
}

/** True when `a` names the same head as `seq`/`hash`. */
export function sameHead(a: AnchorHead | undefined, seq: number, hash: string): boolean {
  return a !== undefined && a.seq === seq && a.hash === hash;
}

/**
 * The start id to anchor under (the log ends where its anchor says, or where an interrupted
 * append said it would), a start marker to write first (a new chain; a v1 anchor to upgrade),
 * or why the log cannot be anchored. Used by the JSONL sink before each append, under its lock.
 */
export function judgeChain(tail: { seq: number; hash: string }, anchor: AuditAnchor | "malformed" | undefined, marker: AuditStartMarker | "malformed" | undefined): { start: string } | { reason: string } | { needsMarker: "new chain" | "v1 upgrade" } {
  if (anchor === undefined) {
    if (tail.seq === 0 && marker === undefined) return { needsMarker: "new chain" };
    return { reason: marker === undefined ? "records but no anchor" : "a start marker but no anchor: the log and its anchor were removed" };
  }
  if (anchor === "malformed" || anchor.macValid === false) return { reason: "the anchor is damaged or its MAC does not match" };
  if (!sameHead(anchor.head, tail.seq, tail.hash) && !sameHead(anchor.pending, tail.seq, tail.hash)) {
    return { reason: `the log ends at seq ${tail.seq}, the anchor names seq ${anchor.head.seq}` };
  }
  if (marker === "malformed" || marker?.macValid === false) return { reason: "the start marker is damaged or its MAC does not match" };
  if (anchor.start === undefined) return marker ? { start: marker.id } : { needsMarker: "v1 upgrade" };
  if (marker?.id !== anchor.start) return { reason: "the start marker is missing or belongs to another chain" };
  return { start: anchor.start };
}

// --- internal ---

/** Fixed size, so an in-place rewrite never leaves a longer old text behind. */
const ANCHOR_BYTES = 512;

function anchorMac(key: Buffer, env: string, start: string, head: AnchorHead, pending: AnchorHead | undefined): string {
  const p = pending ? `${pending.seq}\n${pending.hash}\n${pending.records}` : "-";
  return createHmac("sha256", key).update(`hush audit anchor v2\n${env}\n${start}\n${head.seq}\n${head.hash}\n${head.records}\n${p}`, "utf8").digest("hex");
}

/** The marker's MAC; a marker that names its key provider covers it too (older markers verify as before). */
function markerMac(key: Buffer, env: string, id: string, time: string, keyProvider?: string): string {
  const tail = keyProvider === undefined ? "" : `\n${keyProvider}`;
  return createHmac("sha256", key).update(`hush audit start v1\n${env}\n${id}\n${time}${tail}`, "utf8").digest("hex");
}

function checkMac(want: string | undefined, got: unknown): boolean | undefined {
  if (want === undefined) return undefined;
  if (typeof got !== "string") return false;
  const a = Buffer.from(want, "hex");
  const b = Buffer.from(got, "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}

/** seq/hash (and records in v2) of a head object; false when it has not that shape. */
function headOf(o: Record<string, unknown> | null, withRecords: boolean): AnchorHead | false {
  if (typeof o !== "object" || o === null || !Number.isSafeInteger(o.seq) || (o.seq as number) < 0 || typeof o.hash !== "string") return false;
  if (withRecords && !Number.isSafeInteger(o.records)) return false;
  return { seq: o.seq as number, hash: o.hash, records: withRecords ? (o.records as number) : (o.seq as number) };
}

function readJsonFile(path: string, what: string): Record<string, unknown> | "malformed" | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new HushError("READ_FAILED", `Cannot read the audit ${what} ${path}.`, { cause: e });
  }
  try {
    const o: unknown = JSON.parse(text.trim());
    return typeof o === "object" && o !== null && !Array.isArray(o) ? (o as Record<string, unknown>) : "malformed";
  } catch (_e) {
    // Not JSON: report "malformed"; the parser's message would quote the file.
    return "malformed";
  }
}

function writeFixed(path: string, buf: Buffer, sync: boolean, exclusive: boolean): void {
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | (exclusive ? constants.O_EXCL : 0);
  let fd: number;
  try {
    fd = openSync(path, flags, 0o600);
  } catch (e) {
    throw new HushError("WRITE_FAILED", `Cannot write ${path}.`, { cause: e });
  }
  let n = 0;
  let error: unknown;
  try {
    n = writeSync(fd, buf, 0, buf.length, 0);
    if (sync) fsyncSync(fd);
  } catch (e) {
    error = e;
  } finally {
    closeSync(fd);
  }
  if (error === undefined && n === buf.length) return;
  // A file this call created and could not fill would read as damaged forever: remove it.
  if (exclusive) removeQuietly(path);
  if (error !== undefined) throw new HushError("WRITE_FAILED", `Cannot write ${path}.`, { cause: error });
  throw new HushError("WRITE_FAILED", `Short write to ${path} (${n} of ${buf.length} bytes).`);
}

/** Removes `path`, ignoring every error (used on a failure path that already throws). */
export function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch (_e) {
    // Already gone, or cannot be removed: the failure being reported matters more.
  }
}
