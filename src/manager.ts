/**
 * The secrets manager: walks the sources in order (first found wins), caches what it found,
 * tracks every access and emits one access event per resolution and per write. It is put
 * together from parts that share one context (src/manager-context.ts): reads
 * (manager-read.ts, manager-resolve.ts), listings (manager-list.ts) and writes
 * (manager-write.ts), over the cache (manager-cache.ts) and the tracker (manager-access.ts).
 *
 * @example
 * const hush = createSecretsManager();               // env -> .env files -> .secrets/ (encrypted)
 * const key = await hush.get("openai_api_key", { required: true });
 */
import { createManagerContext } from "./manager-context.js";
import { createListings } from "./manager-list.js";
import { createReads } from "./manager-read.js";
import { createWrites } from "./manager-write.js";
import { canonicalName } from "./names.js";
import { createOnChange } from "./manager-watch.js";
import { createBatchWrite } from "./manager-write-many.js";
import type { GetOptions, SecretsManager, SecretsManagerOptions } from "./manager-types.js";

export type { AuditHook, GetOptions, SecretsManager, SecretsManagerOptions, WriteOptions } from "./manager-types.js";

/**
 * Creates a secrets manager.
 *
 * @example
 * const hush = createSecretsManager({ environment: "prod" });
 * const { secrets, issues } = await hush.resolve(["openai_api_key", "database_url"]);
 */
export function createSecretsManager(options: SecretsManagerOptions = {}): SecretsManager {
  const ctx = createManagerContext(options);
  // Sources that push changes (postgres LISTEN): changed names leave the cache at once.
  const unwatch = ctx.sources.filter((s) => s.liveChanges && s.watch).map((s) => s.watch!((change) => ctx.cache.forget(change.names)));
  const reads = createReads(ctx);
  const changes = createOnChange(ctx, (name) => reads.getRecord(name));
  return {
    cwd: ctx.cwd,
    secretsDir: ctx.secretsDir,
    environment: ctx.environment,
    sources: ctx.sources,
    ...reads,
    ...createListings(ctx),
    ...createWrites(ctx),
    ...createBatchWrite(ctx),
    recordRotationStep: (name, step, outcome, details = {}) => ctx.tracker.write({ name: canonicalName(name), action: `rotate-${step}`, outcome, ...details }),
    recordCompromised: (name, details) => ctx.tracker.writeConfirmed({ name: canonicalName(name), action: "mark-compromised", outcome: "served", ...details }),
    recordIncidentClosed: (name, outcome, details) => ctx.tracker.write({ name: canonicalName(name), action: "incident-close", outcome, ...details }),
    accessReport: () => ctx.tracker.report(),
    onAccess: (listener) => ctx.tracker.subscribe(listener),
    onChange: changes.onChange,
    clearCache: () => ctx.cache.clear(),
    async dispose() {
      for (const stop of unwatch.splice(0)) stop();
      changes.stopAll();
      ctx.cache.clear();
      await ctx.tracker.flush();
      await Promise.all(ctx.sources.map((s) => s.dispose?.()));
    },
  };
}

/**
 * Reads one secret through the chain of the current folder: the one hush.yaml describes (found
 * upward from the working directory), else env -> .env -> .secrets/. The manager is opened at
 * the first call and kept; a failed open is not kept, so a call after the cause is fixed (a
 * broken hush.yaml, a missing key) opens it again.
 *
 * @example
 * import { getSecret } from "hush-secrets";
 * const apiKey = await getSecret("openai_api_key", { required: true });
 */
export async function getSecret(name: string, options: GetOptions & { required: true }): Promise<string>;
export async function getSecret(name: string, options?: GetOptions): Promise<string | undefined>;
export async function getSecret(name: string, options?: GetOptions): Promise<string | undefined> {
  return (await defaultManager()).get(name, options);
}

// --- internal ---

let opening: Promise<SecretsManager> | undefined;

function defaultManager(): Promise<SecretsManager> {
  if (opening === undefined) {
    // Loaded lazily: config/open imports this module, and plain createSecretsManager users never need it.
    const attempt = import("./config/open.js").then(async ({ openConfiguredManager }) => (await openConfiguredManager()).manager);
    opening = attempt;
    attempt.catch(() => {
      if (opening === attempt) opening = undefined;
    });
  }
  return opening;
}
