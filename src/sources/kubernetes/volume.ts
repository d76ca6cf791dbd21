/**
 * The kubernetes source's volume mode: a Secret mounted as a folder, one file per key, read
 * without any API access (what most pods use).
 *
 * The kubelet updates such a folder with its "atomic writer" (pkg/volume/util/atomic_writer.go):
 *
 * ```
 * /etc/secrets/..2026_11_29_17_20_01.123456789/   the payload: one regular file per key
 * /etc/secrets/..data -> ..2026_11_29_17_20_01.123456789
 * /etc/secrets/openai_api_key -> ..data/openai_api_key
 * ```
 *
 * An update writes a new timestamped folder, points `..data_tmp` at it and renames `..data_tmp`
 * over `..data` (one atomic rename), then fixes the per-key links and removes the old folder.
 * So hush resolves `..data` ONCE per read and reads every key from the folder it names: a read
 * sees the whole old payload or the whole new one, never half of each. When the folder it named
 * is removed under the read (the swap happened in between), the read starts again from `..data`.
 * A folder without `..data` (Docker's /run/secrets, a hand-made folder) is read as it is.
 */
import { readdirSync, readlinkSync, watch, type FSWatcher } from "node:fs";
import { join, resolve } from "node:path";
import { HushError } from "../../errors.js";
import { heldNameIndex, isValidName } from "../../names.js";
import { readTrustedFile } from "../../fs/read-trusted-file.js";
import type { SecretRecord, SecretSource, SourceChange } from "../../types.js";

/** Options of {@link createKubernetesVolumeSource}. */
export interface KubernetesVolumeOptions {
  /** The mounted folder (`volumeMounts[].mountPath`). */
  dir: string;
  /** The source's name in the chain. */
  name: string;
  /** A missing folder reads as empty instead of failing (a laptop without the mount). @default false */
  optional?: boolean;
  /** Receives warnings (never values). */
  onWarning?: (message: string) => void;
}

/** A Secret's total size is limited to 1 MiB by the API server; one key cannot be larger. */
export const MAX_VOLUME_FILE_BYTES = 1024 * 1024;

/** Creates the volume-mode source (see the module comment for the layout it follows). */
export function createKubernetesVolumeSource(options: KubernetesVolumeOptions): SecretSource & Required<Pick<SecretSource, "getMany" | "watch" | "dispose">> {
  const dir = resolve(options.dir);
  const sourceName = options.name;
  const warned = new Set<string>();
  const watchers = new Set<() => void>();

  /** Reads `names` from one payload folder; starts again when a swap removed it mid-read. */
  async function readConsistent(names: readonly string[]): Promise<(SecretRecord | undefined)[]> {
    for (let attempt = 0; attempt < MAX_SWAP_RETRIES; attempt++) {
      if (attempt > 0) await pause(SWAP_RETRY_MS * attempt); // let the kubelet finish its swap
      const payload = payloadFolder(dir, sourceName, options.optional === true);
      if (payload === undefined) return names.map(() => undefined);
      const keys = listKeys(payload);
      if (keys === undefined) continue; // the folder went away: a swap in between
      const held = heldNameIndex(keys.filter((k) => validKey(k)), `the mounted folder ${dir}`);
      const out: (SecretRecord | undefined)[] = [];
      let swapped = false;
      for (const name of names) {
        const key = held(name);
        if (key === undefined) {
          out.push(undefined);
          continue;
        }
        const bytes = readTrustedFile(join(payload, key), { maxBytes: MAX_VOLUME_FILE_BYTES, what: "the mounted secret file", source: sourceName });
        if (bytes === undefined) {
          swapped = true;
          break;
        }
        out.push({ name, value: decode(bytes, key, sourceName), source: sourceName, location: join(dir, key) });
      }
      // The kubelet removes the old folder only after the swap: if ..data still names this
      // payload, nothing was taken away under the read.
      if (!swapped && payload === payloadFolder(dir, sourceName, options.optional === true)) return out;
    }
    throw new HushError("READ_FAILED", `The mounted folder ${dir} changed during every one of ${MAX_SWAP_RETRIES} reads.`, {
      source: sourceName,
      hint: "Something rewrites the folder continuously; check what updates the volume.",
    });
  }

  function validKey(key: string): boolean {
    if (isValidName(key)) return true;
    if (!warned.has(key)) options.onWarning?.(`${dir}: skipped a file whose name is not a valid secret name.`);
    warned.add(key);
    return false;
  }

  return {
    name: sourceName,
    async get(name) {
      return (await readConsistent([name]))[0];
    },
    async getMany(names) {
      return readConsistent(names);
    },
    async list() {
      for (let attempt = 0; attempt < MAX_SWAP_RETRIES; attempt++) {
        if (attempt > 0) await pause(SWAP_RETRY_MS * attempt);
        const payload = payloadFolder(dir, sourceName, options.optional === true);
        if (payload === undefined) return [];
        const keys = listKeys(payload);
        if (keys !== undefined && payload === payloadFolder(dir, sourceName, options.optional === true)) return keys.filter((k) => validKey(k));
      }
      throw new HushError("READ_FAILED", `The mounted folder ${dir} changed during every one of ${MAX_SWAP_RETRIES} listings.`, { source: sourceName });
    },
    watch(onChange: (change: SourceChange) => void) {
      const stop = watchFolder(dir, () => onChange({ source: sourceName }));
      watchers.add(stop);
      return () => {
        stop();
        watchers.delete(stop);
      };
    },
    async dispose() {
      for (const stop of watchers) stop();
      watchers.clear();
    },
  };
}

// --- internal ---

/** Reads started again at most this often when the payload folder is swapped under them. */
const MAX_SWAP_RETRIES = 5;
/** Wait before the n-th new start, times n: a swap takes the kubelet a few milliseconds. */
const SWAP_RETRY_MS = 10;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A swap is several events (new folder, `..data_tmp`, rename, links, removal): one notification. */
const WATCH_DEBOUNCE_MS = 50;

/**
 * The folder holding the current payload: the target of `..data` (resolved once, so a read
 * stays in one payload), else `dir` itself. Undefined when `dir` is missing and optional.
 */
function payloadFolder(dir: string, sourceName: string, optional: boolean): string | undefined {
  try {
    return resolve(dir, readlinkSync(join(dir, DATA_LINK)));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // EINVAL: `..data` is there but not a link; ENOENT: no atomic-writer layout (or no folder).
    if (code !== "ENOENT" && code !== "EINVAL") throw new HushError("READ_FAILED", `Cannot read the mounted folder ${dir}.`, { cause: e, source: sourceName });
  }
  try {
    readdirSync(dir);
    return dir;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" && optional) return undefined;
    if (code === "ENOENT") {
      throw new HushError("SOURCE_UNAVAILABLE", `The mounted folder ${dir} does not exist.`, {
        source: sourceName,
        hint: "Check the pod's volumeMounts, or set `optional: true` on the source where the mount may be absent (a laptop).",
      });
    }
    throw new HushError("READ_FAILED", `Cannot read the mounted folder ${dir}.`, { cause: e, source: sourceName });
  }
}

const DATA_LINK = "..data";

/** Regular files and links of the payload folder, dot-names (`..data`, `..2026_…`) left out; undefined when it is gone. */
function listKeys(payload: string): string[] | undefined {
  try {
    return readdirSync(payload, { withFileTypes: true })
      .filter((d) => !d.name.startsWith(".") && (d.isFile() || d.isSymbolicLink()))
      .map((d) => d.name);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new HushError("READ_FAILED", `Cannot list the mounted folder ${payload}.`, { cause: e });
  }
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** The file's text; a file that is not UTF-8 (a binary key) is refused by name, never mangled. */
function decode(bytes: Buffer, key: string, sourceName: string): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new HushError("INVALID_VALUE", `The mounted secret "${key}" is not UTF-8 text; hush passes values on as text.`, { source: sourceName, secret: key });
  }
}

/** fs.watch on the mounted folder, debounced; does not keep the process alive. Returns an idempotent stop. */
function watchFolder(dir: string, onEvent: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let watcher: FSWatcher | undefined;
  const schedule = () => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      if (!stopped) onEvent();
    }, WATCH_DEBOUNCE_MS);
    timer.unref();
  };
  try {
    // The rename of `..data_tmp` over `..data` is an event on the folder itself, as is any
    // change to a plain folder's files.
    watcher = watch(dir, { persistent: false }, schedule);
    watcher.on("error", () => {
      schedule(); // the folder went away: the next read says why
      watcher?.close();
    });
  } catch {
    // No folder to watch (an optional mount that is absent): nothing can change under it.
  }
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    watcher?.close();
  };
}
