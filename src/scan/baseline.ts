/**
 * Scan baselines: the fingerprints of findings a team has accepted, so that a scan reports only
 * new ones. A fingerprint is HMAC-SHA256, under a random per-project salt kept in the baseline
 * file, of the rule (or managed secret), the file path and an HMAC of the matched text. It holds
 * no line number (it survives the line moving) and never the secret. Keyed, so that a short
 * secret cannot be brute-forced from the fingerprint alone; but whoever holds the baseline file
 * (salt included) can test guesses offline, so the file is sensitive metadata: it is written
 * 0600, and a repository should treat it like other security configuration.
 */
import { createHmac, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { HushError } from "../errors.js";
import { writeFileAtomic } from "../fs/atomic-write.js";
import type { ScanFinding } from "./types.js";

/** The format tag of a baseline file and of each fingerprint. */
export const BASELINE_FORMAT = "hush-scan-baseline/v1";

/** Bytes of the random salt. */
const SALT_BYTES = 32;

/** One accepted fingerprint; `ruleId` and `path` are kept for people reading the file. */
export interface BaselineEntry {
  fingerprint: string;
  ruleId: string;
  path: string;
  /** How many findings with this fingerprint are accepted (the same secret twice in a file). */
  count: number;
}

/** A baseline file's content. */
export interface Baseline {
  format: typeof BASELINE_FORMAT;
  /** base64 of the HMAC salt. */
  salt: string;
  entries: BaselineEntry[];
}

/** A new random salt for a project's fingerprints. */
export function newFingerprintSalt(): Buffer {
  return randomBytes(SALT_BYTES);
}

/** The keyed digest of a matched text (an intermediate; never stored). */
export function secretDigest(salt: Buffer, secret: string): string {
  return createHmac("sha256", salt).update("secret\0").update(secret, "utf8").digest("base64url");
}

/** The fingerprint of a finding from its rule (or managed secret), path and secret digest. */
export function fingerprintOf(salt: Buffer, rule: string, path: string, digest: string): string {
  const mac = createHmac("sha256", salt).update(`finding\0${rule}\0${path}\0${digest}`, "utf8").digest("hex");
  return mac.slice(0, 40);
}

/** The rule part of a fingerprint: the rule id, or `managed-value:<name>`. */
export function fingerprintRule(f: Pick<ScanFinding, "kind" | "ruleId" | "secretName">): string {
  return f.kind === "managed" ? `managed-value:${f.secretName ?? ""}` : f.ruleId ?? "";
}

/**
 * Reads a baseline file. A missing, unreadable or malformed file is an error (never an empty
 * baseline: that would report everything, or, worse, be mistaken for a clean state).
 */
export function readBaseline(path: string): Baseline {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as { code?: string }).code ?? "UNKNOWN";
    throw new HushError("READ_FAILED", `Scan baseline ${path} could not be read (${code}).`, { hint: "Write one with `hush scan --baseline-write <file>`." });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (_e) {
    throw malformed(path, "not JSON");
  }
  const b = parsed as Partial<Baseline>;
  if (typeof b !== "object" || b === null || b.format !== BASELINE_FORMAT) throw malformed(path, `format is not ${BASELINE_FORMAT}`);
  if (typeof b.salt !== "string" || Buffer.from(b.salt, "base64").length !== SALT_BYTES) throw malformed(path, "salt is not 32 bytes of base64");
  if (!Array.isArray(b.entries)) throw malformed(path, "entries is not a list");
  for (const e of b.entries as unknown[]) {
    const entry = e as Partial<BaselineEntry>;
    if (typeof entry !== "object" || entry === null || typeof entry.fingerprint !== "string" || !/^[0-9a-f]{40}$/.test(entry.fingerprint)) throw malformed(path, "an entry has no valid fingerprint");
    if (entry.count !== undefined && (!Number.isInteger(entry.count) || entry.count < 1)) throw malformed(path, "an entry's count is not a positive integer");
  }
  return b as Baseline;
}

/** The salt of a baseline. */
export function baselineSalt(b: Baseline): Buffer {
  return Buffer.from(b.salt, "base64");
}

/** Writes the fingerprints of `findings` (which must carry them) as a baseline, 0600, atomically. */
export async function writeBaseline(path: string, salt: Buffer, findings: readonly ScanFinding[]): Promise<Baseline> {
  const byPrint = new Map<string, BaselineEntry>();
  for (const f of findings) {
    if (f.fingerprint === undefined) throw new HushError("INTERNAL", "A finding has no fingerprint; the baseline was not written.");
    const entry = byPrint.get(f.fingerprint);
    if (entry) entry.count++;
    else byPrint.set(f.fingerprint, { fingerprint: f.fingerprint, ruleId: fingerprintRule(f), path: f.path, count: 1 });
  }
  const entries = [...byPrint.values()].sort((a, b) => a.path.localeCompare(b.path) || a.ruleId.localeCompare(b.ruleId) || a.fingerprint.localeCompare(b.fingerprint));
  const baseline: Baseline = { format: BASELINE_FORMAT, salt: salt.toString("base64"), entries };
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new HushError("WRITE_FAILED", `Folder of scan baseline ${path} could not be made (${(e as { code?: string }).code ?? "UNKNOWN"}).`);
  }
  await writeFileAtomic(path, JSON.stringify(baseline, null, 2) + "\n", { mode: 0o600 });
  return baseline;
}

/**
 * Drops the findings the baseline accepts (at most `count` per fingerprint, in order) and
 * returns the rest with the number dropped.
 */
export function applyBaseline(findings: readonly ScanFinding[], baseline: Baseline): { findings: ScanFinding[]; baselined: number } {
  const left = new Map<string, number>();
  for (const e of baseline.entries) left.set(e.fingerprint, (left.get(e.fingerprint) ?? 0) + (e.count ?? 1));
  const kept: ScanFinding[] = [];
  let baselined = 0;
  for (const f of findings) {
    const n = f.fingerprint === undefined ? 0 : left.get(f.fingerprint) ?? 0;
    if (n > 0) {
      left.set(f.fingerprint!, n - 1);
      baselined++;
    } else kept.push(f);
  }
  return { findings: kept, baselined };
}

function malformed(path: string, why: string): HushError {
  return new HushError("READ_FAILED", `Scan baseline ${path} is malformed: ${why}.`, { hint: "Rewrite it with `hush scan --baseline-write <file>`." });
}
