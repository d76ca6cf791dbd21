/**
 * `hush audit review`: the quarterly access review of the ops guide. Over a window (90 days by
 * default) it lists
 * - unused secrets: known secrets with no served read in the window;
 * - secrets without an owner or a description in the config's `secrets:` metadata;
 * - rotations overdue: last rotation (newest version's date) older than the policy, which is
 *   the secret's `rotationDays`, else its type's default (llm-api-key 90, database-password 30,
 *   service-account 90; generic and tls-certificate none here); no version history = unknown;
 * - unusual access:
 *   - new actor: a `user@host` whose first access to a secret falls in the window, for a
 *     secret that was accessed before the window began (no history before it = no baseline);
 *   - burst: a UTC day whose read count c is at least `burstMinCount` (20) and at least
 *     `burstFactor` (5) x max(1, b), where b is the median of the secret's daily read counts over
 *     its other days in the window (from its first access on, zero days included); judged
 *     only with at least `minBaselineDays` (7) other days.
 */
import type { AuditEntry } from "./record.js";
import type { UnreadableAuditLines } from "./unreadable-lines.js";
import { DEFAULT_ROTATION_DAYS, type SecretType } from "../config/types.js";

/** Config metadata of a secret (hush.yaml `secrets:`). */
export interface SecretMeta {
  owner?: string;
  description?: string;
  type?: string;
  /** Rotation period in days; `null`: explicitly none (`rotation: never`); absent: the type's default. */
  rotationDays?: number | null;
}

/** Options of {@link reviewAccess}. */
export interface AccessReviewOptions {
  /** The records (a roll-up counts as its `count` reads, on the day of its `time`). */
  records?: AsyncIterable<AuditEntry> | Iterable<AuditEntry>;
  /** Instead of `records`: visits every record (the fast reader, `forEachAuditEntry`). */
  forEachRecord?: (visit: (record: AuditEntry) => void) => Promise<void>;
  /** Names that exist (`manager.list()`); names in `secretsMeta` are added. */
  secrets: readonly string[];
  secretsMeta?: Readonly<Record<string, SecretMeta>>;
  /** Newest version's creation date per name, for versioned sources. */
  lastRotation?: Readonly<Record<string, Date | undefined>>;
  /** Name -> id under the environment's key. */
  idOf(name: string): string;
  /** The review's end. @default now */
  now?: Date;
  /** Window length. @default 90 */
  days?: number;
  /** @default 5 */
  burstFactor?: number;
  /** @default 20 */
  burstMinCount?: number;
  /** @default 7 */
  minBaselineDays?: number;
}

/** A finding of unusual access. */
export type UnusualAccess =
  | { kind: "new-actor"; name: string; actor: string; firstSeen: string }
  | { kind: "burst"; name: string; day: string; count: number; baseline: number };

/** The review. Dates are ISO strings so it prints as JSON unchanged. */
export interface AccessReview {
  window: { from: string; to: string; days: number };
  /** Secrets reviewed (listed plus configured). */
  secrets: string[];
  /** `lastRead`: the last served read in the whole log, if any. */
  unused: { name: string; lastRead: string | undefined }[];
  missingMetadata: { name: string; missing: ("owner" | "description")[] }[];
  rotationOverdue: { name: string; type: string | undefined; policyDays: number; lastRotation: string; daysOverdue: number }[];
  /** Under a policy but with no version history to date the last rotation. */
  rotationUnknown: { name: string; type: string | undefined; policyDays: number }[];
  unusual: UnusualAccess[];
  /**
   * TLS certificates (type or rotator `tls-certificate`) that expire within their renewal window
   * (`renewDays`, default 30), read from the PEM; `hush audit review --strict` fails on them too.
   * Added by `reviewProjectAccess`; absent when the review is made from records alone.
   */
  certificatesExpiring?: { name: string; expires: string; daysLeft: number; renewDays: number }[];
  /**
   * Lines (or rows) of the trail that are not records, so the review may miss accesses: count and
   * numbers, never content. Added by `reviewProjectAccess` (null: none); absent from records alone.
   */
  unreadableLines?: UnreadableAuditLines | null;
  /** Who accessed each secret in the window (`user@host`, any action), for "who has access". */
  actors: Record<string, string[]>;
  /** Records in the window whose secret id matches no known name. */
  unknownIds: number;
}

const DAY_MS = 86_400_000;

/** Runs the review. */
export async function reviewAccess(options: AccessReviewOptions): Promise<AccessReview> {
  const now = options.now ?? new Date();
  const days = options.days ?? 90;
  const from = new Date(now.getTime() - days * DAY_MS);
  const fromIso = from.toISOString();
  const nowIso = now.toISOString();
  const meta = options.secretsMeta ?? {};
  const names = [...new Set([...options.secrets, ...Object.keys(meta)])].sort();
  const nameById = new Map(names.map((n) => [options.idOf(n), n]));

  const stats = new Map<string, SecretStats>();
  let unknownIds = 0;
  const add = (r: AuditEntry): void => {
    if (r.time > nowIso) return;
    const name = nameById.get(r.secretId);
    if (name === undefined) {
      if (r.time >= fromIso) unknownIds++;
      return;
    }
    let s = stats.get(name);
    if (!s) stats.set(name, (s = { lastRead: undefined, readInWindow: false, before: false, firstByActor: new Map(), daily: new Map(), firstDay: undefined, actorsInWindow: new Set() }));
    const actor = `${r.actor.user}@${r.actor.host}`;
    const seen = s.firstByActor.get(actor);
    if (seen === undefined || r.time < seen) s.firstByActor.set(actor, r.time);
    const last = r.last !== undefined && r.last <= nowIso ? r.last : r.time;
    if (r.action === "read" && r.outcome === "served" && (s.lastRead === undefined || last > s.lastRead)) s.lastRead = last;
    if (r.time < fromIso) {
      s.before = true;
      return;
    }
    s.actorsInWindow.add(actor);
    if (r.action !== "read") return;
    const day = r.time.slice(0, 10);
    s.daily.set(day, (s.daily.get(day) ?? 0) + (r.count ?? 1));
    if (s.firstDay === undefined || day < s.firstDay) s.firstDay = day;
    if (r.outcome === "served") s.readInWindow = true;
  };
  if (options.forEachRecord) await options.forEachRecord(add);
  for await (const r of options.records ?? []) add(r);

  const review: AccessReview = {
    window: { from: fromIso, to: nowIso, days },
    secrets: names,
    unused: [],
    missingMetadata: [],
    rotationOverdue: [],
    rotationUnknown: [],
    unusual: [],
    actors: {},
    unknownIds,
  };
  for (const name of names) {
    const s = stats.get(name);
    const m = meta[name] ?? {};
    if (!s?.readInWindow) review.unused.push({ name, lastRead: s?.lastRead });
    const missing = (["owner", "description"] as const).filter((k) => !m[k]);
    if (missing.length > 0) review.missingMetadata.push({ name, missing });
    checkRotation(name, m, options.lastRotation?.[name], now, review);
    if (!s) continue;
    if (s.actorsInWindow.size > 0) review.actors[name] = [...s.actorsInWindow].sort();
    if (s.before) {
      for (const [actor, first] of s.firstByActor) if (first >= fromIso) review.unusual.push({ kind: "new-actor", name, actor, firstSeen: first });
    }
    findBursts(name, s, now, options, review.unusual);
  }
  return review;
}

// --- internal ---

interface SecretStats {
  lastRead: string | undefined;
  readInWindow: boolean;
  /** Any record before the window. */
  before: boolean;
  firstByActor: Map<string, string>;
  /** Reads per UTC day in the window. */
  daily: Map<string, number>;
  firstDay: string | undefined;
  actorsInWindow: Set<string>;
}

function checkRotation(name: string, m: SecretMeta, last: Date | undefined, now: Date, review: AccessReview): void {
  const policyDays = m.rotationDays === undefined ? (m.type === undefined ? undefined : DEFAULT_ROTATION_DAYS[m.type as SecretType]) : m.rotationDays;
  if (policyDays === undefined || policyDays === null) return;
  if (last === undefined) {
    review.rotationUnknown.push({ name, type: m.type, policyDays });
    return;
  }
  const age = (now.getTime() - last.getTime()) / DAY_MS;
  if (age > policyDays) review.rotationOverdue.push({ name, type: m.type, policyDays, lastRotation: last.toISOString(), daysOverdue: Math.floor(age - policyDays) });
}

function findBursts(name: string, s: SecretStats, now: Date, o: AccessReviewOptions, out: UnusualAccess[]): void {
  if (s.firstDay === undefined) return;
  const factor = o.burstFactor ?? 5;
  const minCount = o.burstMinCount ?? 20;
  const minBaseline = o.minBaselineDays ?? 7;
  const days: string[] = [];
  for (let t = Date.parse(`${s.firstDay}T00:00:00Z`); t <= now.getTime(); t += DAY_MS) days.push(new Date(t).toISOString().slice(0, 10));
  if (days.length - 1 < minBaseline) return;
  const counts = days.map((d) => s.daily.get(d) ?? 0);
  counts.forEach((c, i) => {
    if (c < minCount) return;
    const baseline = median(counts.filter((_, j) => j !== i));
    if (c >= factor * Math.max(1, baseline)) out.push({ kind: "burst", name, day: days[i]!, count: c, baseline });
  });
}

function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}
