/**
 * The `vault` source put together (loaded lazily by the descriptor in ../vault.ts): the KV source,
 * the cache in front (unless `cacheTtl` is 0), the polling watch, and last-known-good copies when
 * `offlineCache` is set.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { HushError } from "../../errors.js";
import type { SecretSource } from "../../types.js";
import type { SourceContext } from "../descriptor.js";
import type { VaultSourceOptions } from "../vault.js";
import { withCache } from "../remote/cache.js";
import { formatAttempts } from "../remote/retry.js";
import { withLastKnownGood } from "../remote/last-known-good.js";
import { pollingWatch } from "../remote/poll-watch.js";
import { createVaultClient } from "./client.js";
import { createVaultKvSource } from "./source.js";
import { versionTags } from "./watch-snapshot.js";
import { checkVault } from "./check.js";

/**
 * Makes the source: the KV source, the cache in front (unless `cacheTtl` is 0), the polling
 * watch, and last-known-good copies when `offlineCache` is set. `refresh()` drops the cache.
 *
 * @example
 * const vault = createVaultSource({ address: "https://vault:8200", mount: "secret", field: "value", concurrency: 8, cacheTtl: 60_000, timeout: 10_000, watchInterval: 30_000 }, context);
 */
export function createVaultSource(options: Omit<VaultSourceOptions, "rotation"> & { rotation?: boolean }, context: SourceContext): SecretSource & { refresh(names?: readonly string[]): Promise<void> } {
  const env = context.env ?? process.env;
  const address = options.address ?? env.VAULT_ADDR;
  if (!address || !/^https?:\/\/[^/\s]+\/?$/.test(address)) {
    throw new HushError("CONFIG_INVALID", `vault: ${address ? "options.address (or VAULT_ADDR) must be http(s)://host:port, without a path" : "no address: set options.address in hush.yaml or VAULT_ADDR"}.`, { source: "vault" });
  }
  const caPath = options.caCert ?? env.VAULT_CACERT;
  const namespace = options.namespace ?? env.VAULT_NAMESPACE;
  const client = createVaultClient({
    address: address.replace(/\/$/, ""),
    auth: options.auth ?? {},
    timeoutMs: options.timeout,
    maxSockets: options.concurrency,
    source: "vault",
    env,
    ...(namespace ? { namespace } : {}),
    ...(caPath ? { ca: readCa(resolve(context.root, caPath)) } : {}),
    ...(context.onDebug ? { onAttempt: (a) => context.onDebug!(`vault: ${formatAttempts([a])}`) } : {}),
  });
  const kv = createVaultKvSource({ name: "vault", client, mount: options.mount, field: options.field, concurrency: options.concurrency, rotation: options.rotation === true, ...(options.path ? { path: options.path } : {}), ...(context.remoteRefs ? { remoteRefs: context.remoteRefs } : {}) });
  const watch = pollingWatch({ source: "vault", intervalMs: options.watchInterval, snapshot: () => versionTags(kv, client, options.mount, options.concurrency, options.rotation === true), onWarning: context.onWarning });
  const raw: SecretSource = {
    ...kv,
    watch,
    check: () => checkVault(client, address, options.mount, options.path),
    async dispose() {
      watch.stopAll();
      client.close();
    },
  };
  const cached = withCache(raw, { ttlMs: options.cacheTtl, onWarning: context.onWarning });
  const outer = options.offlineCache ? withLastKnownGood(cached, { maxStalenessMs: options.offlineCache.maxStaleness, context, ...(options.offlineCache.dir ? { dir: resolve(context.root, options.offlineCache.dir) } : {}) }) : cached;
  return Object.assign(outer, { refresh: cached.refresh });
}

// --- internal ---

function readCa(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new HushError("READ_FAILED", `vault: cannot read the CA certificate ${path}.`, { cause: e, source: "vault" });
  }
}
