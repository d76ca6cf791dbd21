/**
 * The anchor file `audit.<env>.head` beside the log: the last record's seq and hash, with an
 * HMAC under the anchor key. The hash chain shows edits, deletions and reordering inside the
 * log; only something outside the log can show that whole records were cut from its end.
 * Rewritten in place (one fixed-size positional write) after every append, under the log's lock.
 */
import { closeSync, constants, fsyncSync, openSync, readFileSync, writeSync } from "node:fs";
import { createHmac, timingSafeEqual } from "node:crypto";
import { HushError } from "../errors.js";

/** What the anchor says. */
export interface AuditAnchor {
  seq: number;
  hash: string;
  /** true / false when a key was given and the MAC checked; undefined without a key or MAC. */
  macValid: boolean | undefined;
}

/** `.../audit.dev.jsonl` -> `.../audit.dev.head`. */
export function anchorPathOf(logPath: string): string {
  return logPath.replace(/\.jsonl$/, "") + ".head";
}

/** Writes the anchor (mode 0600 at creation). `sync`: fsync it. */
export function writeAnchor(path: string, env: string, seq: number, hash: string, anchorKey: Buffer | undefined, sync: boolean): void {
  const body: Record<string, unknown> = { v: 1, env, seq, hash };
  if (anchorKey) body.mac = anchorMac(anchorKey, env, seq, hash);
  const text = JSON.stringify(body);
  const buf = Buffer.alloc(ANCHOR_BYTES, " ");
  buf.write(text, 0, "utf8");
  buf[ANCHOR_BYTES - 1] = 10;
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
  try {
    writeSync(fd, buf, 0, buf.length, 0);
    if (sync) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads the anchor: undefined when there is none, "malformed" when it cannot be read as one.
 * With `anchorKey`, the MAC is checked in constant time.
 */
export function readAnchor(path: string, env: string, anchorKey?: Buffer): AuditAnchor | "malformed" | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new HushError("READ_FAILED", `Cannot read the audit anchor ${path}.`, { cause: e });
  }
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text.trim()) as Record<string, unknown>;
  } catch (_e) {
    // Not JSON: report "malformed"; the parser's message would quote the file.
    return "malformed";
  }
  if (typeof o !== "object" || o === null || !Number.isSafeInteger(o.seq) || typeof o.hash !== "string") return "malformed";
  let macValid: boolean | undefined;
  if (anchorKey && typeof o.mac === "string") {
    const want = Buffer.from(anchorMac(anchorKey, env, o.seq as number, o.hash), "hex");
    const got = Buffer.from(o.mac, "hex");
    macValid = got.length === want.length && timingSafeEqual(got, want);
  } else if (anchorKey) macValid = false;
  return { seq: o.seq as number, hash: o.hash, macValid };
}

// --- internal ---

const ANCHOR_BYTES = 256;

function anchorMac(key: Buffer, env: string, seq: number, hash: string): string {
  return createHmac("sha256", key).update(`hush audit anchor v1\n${env}\n${seq}\n${hash}`, "utf8").digest("hex");
}
