/**
 * hush's rotation marks on a KV v2 key, kept in its `custom_metadata` (docs/vault.md, "Rotation"):
 * `hush-current`, `hush-pending`, `hush-previous` (version numbers) and `hush-stage` (the id of the
 * stage that wrote the marks). A staged version is the key's latest version, so a plain read would
 * serve it: hush's reads serve `hush-current` instead while the latest version is the pending one.
 * Any other latest version (written by `hush set`, `vault kv put`, anyone) is served: outside a
 * rotation the latest version wins, as in every Vault client.
 */
import { HushError } from "../../errors.js";
import type { RemoteWhere } from "../remote/errors.js";
import type { VaultClient } from "./client.js";
import { readKv, readMetadata, writeCustomMetadata, type KvVersionData } from "./kv.js";

/** The marks, parsed; a mark that is not a whole number from 1 is absent. */
export interface RotationMarks {
  current?: number;
  pending?: number;
  previous?: number;
  stageId?: string;
}

const KEYS = { current: "hush-current", pending: "hush-pending", previous: "hush-previous", stageId: "hush-stage" } as const;

/** The marks of a key's `custom_metadata`. */
export function marksOf(custom: Readonly<Record<string, string>> | undefined): RotationMarks {
  const marks: RotationMarks = {};
  for (const k of ["current", "pending", "previous"] as const) {
    const raw = custom?.[KEYS[k]];
    if (raw !== undefined && /^[1-9][0-9]{0,15}$/.test(raw)) marks[k] = Number(raw);
  }
  if (custom?.[KEYS.stageId] !== undefined) marks.stageId = custom[KEYS.stageId];
  return marks;
}

/** `custom` with hush's marks replaced by `marks` (the other entries are kept). */
export function withMarks(custom: Readonly<Record<string, string>> | undefined, marks: RotationMarks): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(custom ?? {})) if (!(Object.values(KEYS) as string[]).includes(k)) out[k] = v;
  for (const k of ["current", "pending", "previous", "stageId"] as const) if (marks[k] !== undefined) out[KEYS[k]] = String(marks[k]);
  return out;
}

/** The version hush serves as current: `hush-current` while the latest version is the pending one, else the latest. */
export function servedVersion(latest: number, marks: RotationMarks): number {
  return marks.pending === latest && marks.current !== undefined && marks.current < latest ? marks.current : latest;
}

/**
 * The pending version, or undefined: a `hush-pending` above `hush-current` that exists (at most
 * the latest). A mark above the latest is a stage cut before its data write: no version is pending.
 */
export function livePending(latest: number, marks: RotationMarks): number | undefined {
  const { pending, current } = marks;
  return pending !== undefined && current !== undefined && pending > current && pending <= latest ? pending : undefined;
}

/** The served version's data (one read, two while a version is pending) and the latest version (the `cas` of a write). */
export async function readServed(client: VaultClient, mount: string, key: string, where: RemoteWhere): Promise<{ kv: KvVersionData; latest: number } | undefined> {
  const latest = await readKv(client, mount, key, undefined, where);
  if (!latest) return undefined;
  const served = servedVersion(latest.version, marksOf(latest.customMetadata));
  if (served === latest.version) return { kv: latest, latest: latest.version };
  const kv = await readKv(client, mount, key, served, where);
  // Fail closed: the version marked current is gone (never "not here", never the pending value).
  if (!kv) throw new HushError("VERSION_NOT_FOUND", `${where.source}: version ${served} of ${where.path ?? key}, marked hush-current while version ${latest.version} is pending, is not there.`, { source: where.source, ...(where.secret !== undefined ? { secret: where.secret } : {}) });
  return { kv, latest: latest.version };
}

/**
 * Drops a `hush-pending` mark on `version`, a version that is provably no staged one: hush set
 * (or a stage whose data write lost its check-and-set) has just written it. Such a mark is left by
 * a stage cut between its marks and its data write, or by a stage racing the write; kept, it would
 * hide the write behind the old value. `stageId`: only that stage's mark. False when there is none.
 */
export async function dropMarkOnWritten(client: VaultClient, mount: string, key: string, version: number, where: RemoteWhere, stageId?: string): Promise<boolean> {
  const meta = await readMetadata(client, mount, key, { ...where, path: `${mount}/metadata/${key}` });
  const marks = marksOf(meta?.customMetadata);
  if (!meta || marks.pending !== version || (stageId !== undefined && marks.stageId !== stageId)) return false;
  await writeCustomMetadata(client, mount, key, withMarks(meta.customMetadata, { ...(marks.current !== undefined ? { current: marks.current } : {}), ...(marks.previous !== undefined ? { previous: marks.previous } : {}) }), where);
  return true;
}
