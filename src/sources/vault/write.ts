/**
 * Writes of the `vault` source, always with check-and-set: read the latest version, change one
 * field (the other fields of a multi-field secret are kept), write with `cas` = the version read.
 * A writer that loses the race reads again and retries, a few times, then gives up with
 * CONCURRENT_MODIFICATION; no update is ever lost silently. With `rotation`, a `hush-pending` mark
 * on the version just written (left by a cut or racing stage) is dropped, so the write is served.
 */
import { HushError } from "../../errors.js";
import { deleteKey, readKv, readMetadata, writeKv } from "./kv.js";
import { dropMarkOnWritten, readServed } from "./marks.js";
import type { Located, VaultKvOptions } from "./source.js";
import { sleepJitter } from "../remote/jitter.js";

/** Sets the field of `l` (its `property`, else the source's `field`) to `value`, as a new version. */
export async function writeField(o: VaultKvOptions, l: Located, value: string): Promise<{ version: number; createdTime?: Date; property: string }> {
  const property = l.loc.property ?? o.field;
  const where = { ...l.where, operation: "write" };
  return withCasRetries(async () => {
    const { data, cas } = await latest(o, l);
    const written = await writeKv(o.client, o.mount, l.loc.key, { ...data, [property]: value }, cas, where);
    if (o.rotation) await dropMarkOnWritten(o.client, o.mount, l.loc.key, written.version, where);
    return { ...written, property };
  });
}

/** Removes the field of `l` (a new version without it; the key itself when no field is left). False when it was not there. */
export async function removeField(o: VaultKvOptions, l: Located): Promise<boolean> {
  const property = l.loc.property!;
  const where = { ...l.where, operation: "delete" };
  return withCasRetries(async () => {
    const { data, cas } = await latest(o, l);
    if (!Object.hasOwn(data, property)) return false;
    const { [property]: _removed, ...rest } = data;
    if (Object.keys(rest).length === 0) await deleteKey(o.client, o.mount, l.loc.key, where);
    else {
      const written = await writeKv(o.client, o.mount, l.loc.key, rest, cas, where);
      if (o.rotation) await dropMarkOnWritten(o.client, o.mount, l.loc.key, written.version, where);
    }
    return true;
  });
}

// --- internal ---

const CAS_ATTEMPTS = 3;

/** The latest data (empty when the key is new, or its latest version deleted) and the version to pass as `cas`. */
async function latest(o: VaultKvOptions, l: Located): Promise<{ data: Record<string, unknown>; cas: number }> {
  try {
    if (!o.rotation) {
      const kv = await readKv(o.client, o.mount, l.loc.key, undefined, l.where);
      return kv ? { data: kv.data, cas: kv.version } : { data: {}, cas: 0 };
    }
    // The served version's fields (never a pending version's), written over the latest version.
    const read = await readServed(o.client, o.mount, l.loc.key, l.where);
    return read ? { data: read.kv.data, cas: read.latest } : { data: {}, cas: 0 };
  } catch (e) {
    if (!(e instanceof HushError && e.code === "DELETED")) throw e;
    // Writing over a deleted latest version starts from nothing, after the version that is there.
    const meta = await readMetadata(o.client, o.mount, l.loc.key, l.where);
    return { data: {}, cas: meta?.currentVersion ?? 0 };
  }
}

async function withCasRetries<T>(attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (e) {
      if (!(e instanceof HushError && e.code === "CONCURRENT_MODIFICATION") || n >= CAS_ATTEMPTS) throw e;
      await sleepJitter(20 * n);
    }
  }
}
