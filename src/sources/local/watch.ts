/**
 * Change notification for the local store: fs.watch on the secrets folder (the store is
 * replaced by rename, so the folder, not the file, must be watched), debounced. When the
 * folder does not exist yet, its parent is watched until it appears. Watchers do not keep the
 * process alive.
 */
import { existsSync, watch, type FSWatcher } from "node:fs";
import { basename, dirname } from "node:path";

/** Debounce window: a write produces several events (temp created, written, renamed). */
export const WATCH_DEBOUNCE_MS = 50;

/**
 * Calls `onEvent` (debounced) after something happens to `storeBase` in `dir`. Returns a
 * function that stops watching (idempotent).
 */
export function watchStore(dir: string, storeBase: string, onEvent: () => void): () => void {
  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const schedule = () => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      if (!stopped) onEvent();
    }, WATCH_DEBOUNCE_MS);
    timer.unref();
  };

  const watchDir = () => {
    watcher = watch(dir, { persistent: false }, (_type, file) => {
      // Linux names the file; a null name (some platforms) may be anything, so it counts.
      if (file === null || file === storeBase || file.startsWith(`.${storeBase}.tmp-`)) schedule();
    });
    watcher.on("error", () => {
      // The folder was removed or became unreadable: report a change; the next read says why.
      schedule();
      watcher?.close();
    });
  };

  const watchParent = () => {
    const name = basename(dir);
    watcher = watch(dirname(dir), { persistent: false }, (_type, file) => {
      if ((file === null || file === name) && existsSync(dir) && !stopped) {
        watcher?.close();
        watchDir();
        schedule();
      }
    });
    watcher.on("error", () => {
      // The parent went away too; there is nothing left to watch until the caller re-subscribes.
      watcher?.close();
    });
  };

  if (existsSync(dir)) watchDir();
  else watchParent();

  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    watcher?.close();
  };
}
