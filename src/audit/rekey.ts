/**
 * After `hush key rotate`, the audit log's keyed files move to the new key: the anchor and the
 * start marker are MACed under a key derived from the environment's key (secret-id.ts), so each
 * is checked under the old key and, only when it verifies, written again under the new one
 * (never blessing a file someone edited). Under the log's lock, as every append.
 *
 * Not re-keyed: the secret ids of records already written stay HMACs under the old id key, so
 * `hush audit log` / `report` name them only with the old key (`hush key rotate --keep-old`).
 */
import { existsSync } from "node:fs";
import { HushError } from "../errors.js";
import type { FernetKey } from "../crypto/fernet.js";
import { writeFileAtomic } from "../fs/atomic-write.js";
import { withLock } from "../fs/lock.js";
import { anchorPathOf, readAnchor, readStartMarker, startMarkerPathOf, startMarkerText, writeAnchor } from "./anchor.js";
import { jsonlLogPath } from "./jsonl-sink.js";
import { deriveAuditKeys } from "./secret-id.js";

/** What {@link rekeyAuditLog} did: which files verified under the old key and were re-MACed. */
export interface AuditRekeyResult {
  marker: "rekeyed" | "absent" | "not verified";
  anchor: "rekeyed" | "absent" | "not verified";
}

/** Re-MACs the environment's audit anchor and start marker from `oldKey` to `newKey`. */
export async function rekeyAuditLog(secretsDir: string, environment: string, oldKey: FernetKey, newKey: FernetKey): Promise<AuditRekeyResult> {
  const log = jsonlLogPath(secretsDir, environment);
  const markerPath = startMarkerPathOf(log);
  const anchorPath = anchorPathOf(log);
  if (!existsSync(markerPath) && !existsSync(anchorPath)) return { marker: "absent", anchor: "absent" };
  const before = deriveAuditKeys(oldKey).anchorKey;
  const after = deriveAuditKeys(newKey).anchorKey;
  return withLock(`${log}.lock`, async () => {
    const result: AuditRekeyResult = { marker: "absent", anchor: "absent" };
    const marker = readStartMarker(markerPath, environment, before);
    if (marker !== undefined) {
      if (marker === "malformed" || marker.macValid !== true) result.marker = "not verified";
      else {
        await writeFileAtomic(markerPath, startMarkerText(environment, marker, after), { mode: 0o600 });
        result.marker = "rekeyed";
      }
    }
    const anchor = readAnchor(anchorPath, environment, before);
    if (anchor !== undefined) {
      if (anchor === "malformed" || anchor.macValid !== true || anchor.start === undefined) result.anchor = "not verified";
      else {
        writeAnchor(anchorPath, environment, { start: anchor.start, head: anchor.head, ...(anchor.pending ? { pending: anchor.pending } : {}) }, after, true);
        result.anchor = "rekeyed";
      }
    }
    return result;
  }).catch((e: unknown) => {
    if (e instanceof HushError) throw e;
    throw new HushError("WRITE_FAILED", `Cannot re-key the audit files of ${environment}.`, { cause: e });
  });
}
