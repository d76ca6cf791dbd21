/**
 * `hush run --watch`: notices when the secrets given to the child change.
 *
 * Sources that implement `watch(onChange)` (the local store) notify; every other source but
 * `env` (whose variables cannot change under a running hush) is polled every ~2 s by reading
 * it directly, so polling emits no access events (an audit trail is not flooded with a read
 * every two seconds). Either way the chain is then resolved again through the manager and the
 * change is reported only when the fingerprint of what the child would get (a SHA-256 over
 * names and values, kept in memory, never logged) differs from the last one. Once the watchers
 * are in place (the postgres listener's LISTEN included), the chain is re-read once, so a change
 * made between the first read and then restarts the child too.
 */
import { createHash } from "node:crypto";
import type { SecretsManager } from "../manager.js";
import { HushError } from "../errors.js";
import { canonicalName } from "../names.js";
import type { ResolveResult, SecretRecord, SecretSource } from "../types.js";

/** Options of {@link watchSecrets}. */
export interface WatchSecretsOptions {
  /** Names to watch; undefined: every name the chain lists. */
  names?: string[];
  /** Fingerprint of the secrets the current child got (see {@link fingerprintSecrets}). */
  initial: string;
  /** Polling period for sources without `watch`, in ms. @default 2000 */
  pollIntervalMs?: number;
  /** Where failures to re-read go (never values). */
  onWarning: (message: string) => void;
}

/** Fingerprint of a set of secrets: SHA-256 over sorted names and values. Compare, never print. */
export function fingerprintSecrets(secrets: Record<string, SecretRecord>): string {
  const hash = createHash("sha256");
  for (const name of Object.keys(secrets).sort()) hash.update(name).update("\0").update(secrets[name]!.value).update("\0");
  return hash.digest("hex");
}

/**
 * Calls `onChange` with the newly resolved secrets whenever they differ from the last ones.
 * Returns a function that stops watching.
 */
export function watchSecrets(manager: SecretsManager, onChange: (result: ResolveResult) => void, options: WatchSecretsOptions): () => void {
  let last = options.initial;
  let stopped = false;
  let running = false;
  let again = false;
  let timer: NodeJS.Timeout | undefined;

  async function recheck(): Promise<void> {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      manager.clearCache();
      const result = await manager.resolve(options.names);
      const next = fingerprintSecrets(result.secrets);
      if (!stopped && next !== last) {
        last = next;
        onChange(result);
      }
    } catch (e) {
      options.onWarning(`--watch: could not re-read the secrets (${e instanceof HushError ? `${e.code}: ${e.message}` : "unexpected error"}); the child keeps its current values.`);
    } finally {
      running = false;
      if (again && !stopped) {
        again = false;
        void recheck();
      }
    }
  }

  /** Coalesces a burst of notifications (an atomic write is several events). */
  function schedule(): void {
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void recheck();
    }, 50);
  }

  const watched = manager.sources.filter((s) => typeof s.watch === "function");
  const unwatch = watched.map((s) => s.watch!(schedule));
  // The child got what the first resolve read, before these watchers were in place (the postgres
  // listener LISTENs on its own connection, some time later): a change in between would never be
  // notified. One re-read once every watcher is ready closes that gap (silent when nothing changed).
  void Promise.all(watched.map((s) => listeningOf(s)?.().catch(() => undefined))).then(schedule);
  const polled = manager.sources.filter((s) => typeof s.watch !== "function" && s.name !== "env");
  let pollStamp: string | undefined;
  let polling = false;
  const poller =
    polled.length === 0
      ? undefined
      : setInterval(() => {
          if (polling || stopped) return;
          polling = true;
          stampSources(polled, options.names)
            .then((stamp) => {
              // The first stamp also triggers one re-read, which catches a change made between
              // the first resolve and the first poll (a re-read that finds nothing new is silent).
              if (stamp !== pollStamp) schedule();
              pollStamp = stamp;
            })
            .catch(() => schedule()) // a source that fails now: let the manager's re-read report it
            .finally(() => {
              polling = false;
            });
        }, options.pollIntervalMs ?? 2000);
  poller?.unref();

  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    if (poller) clearInterval(poller);
    for (const stop of unwatch) stop();
  };
}

// --- internal ---

/** A source's `listening()` (the postgres source: resolves once LISTEN is in place), if it has one. */
function listeningOf(source: SecretSource): (() => Promise<void>) | undefined {
  const listening = (source as { listening?: unknown }).listening;
  return typeof listening === "function" ? () => (listening as () => Promise<void>).call(source) : undefined;
}

/** A hash over what the polled sources hold for `names` (or all they list), read directly. */
async function stampSources(sources: SecretSource[], names: string[] | undefined): Promise<string> {
  const hash = createHash("sha256");
  for (const source of sources) {
    const wanted = names ?? (await source.list());
    hash.update(source.name).update("\0");
    for (const name of [...wanted].sort()) {
      const record = await source.get(canonicalName(name));
      hash.update(name).update("\0").update(record ? "1" + record.value : "0").update("\0");
    }
  }
  return hash.digest("hex");
}
