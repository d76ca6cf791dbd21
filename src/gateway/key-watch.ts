/**
 * Change notifications for the routes' keys: every source of the chain that can `watch` (the
 * local store's file watch, the postgres source's LISTEN, Vault's polled watch) is followed;
 * when one announces a change of a route's secret (or of anything: `names` undefined), the
 * manager's cache is cleared (the local store does not clear it itself) and the route re-reads
 * its key at once (route-key.ts, which also says why notifications and a TTL are both used).
 */
import { canonicalName } from "../names.js";
import type { SecretsManager } from "../manager.js";
import type { ActiveRoute } from "./active-route.js";

/** Follows the sources' changes for `routes`; returns a function that stops (idempotent). */
export function watchRouteKeys(manager: Pick<SecretsManager, "sources" | "clearCache">, routes: ReadonlyMap<string, ActiveRoute>): () => void {
  let stopped = false;
  const secrets = [...routes.values()].map((r) => ({ route: r, name: canonicalOrSelf(r.plan.secret) }));
  const unwatch = manager.sources
    .filter((s) => typeof s.watch === "function")
    .map((s) =>
      s.watch!((change) => {
        const names = change.names?.map(canonicalOrSelf);
        const hit = secrets.filter((s) => names === undefined || names.includes(s.name));
        if (hit.length === 0) return;
        if (stopped) return;
        manager.clearCache();
        for (const { route } of hit) void route.key.changed();
      }),
    );
  return () => {
    stopped = true;
    for (const stop of unwatch.splice(0)) stop();
  };
}

// --- internal ---

function canonicalOrSelf(name: string): string {
  try {
    return canonicalName(name);
  } catch (_e) {
    return name; // a name a source reports that hush would not accept: compared as is
  }
}
