/**
 * What the parts of a manager share: its folders and environment, the chain, the cache and the
 * access tracker. Made once by {@link createManagerContext}; reads, listings and writes
 * (src/manager-read.ts, manager-list.ts, manager-write.ts) each take it.
 */
import { resolve as resolvePath, join } from "node:path";
import { HushError } from "./errors.js";
import { envName } from "./names.js";
import { pickEnvironment } from "./environment.js";
import { createAccessTracker, type AccessTracker } from "./manager-access.js";
import { createSecretCache, type SecretCache } from "./manager-cache.js";
import { createDefaultSources } from "./default-sources.js";
import type { SecretSource } from "./types.js";
import type { SecretsManagerOptions } from "./manager-types.js";

/** See the module comment. */
export interface ManagerContext {
  readonly cwd: string;
  readonly secretsDir: string;
  readonly environment: string;
  /** The chain, in order. */
  readonly sources: readonly SecretSource[];
  /** Resolved records by canonical name. */
  readonly cache: SecretCache;
  readonly tracker: AccessTracker;
  /** Each distinct warning once. */
  readonly onWarning: (message: string) => void;
}

/** Resolves the options (defaults, the environment, the default chain) into a context. */
export function createManagerContext(options: SecretsManagerOptions): ManagerContext {
  const cwd = resolvePath(options.cwd ?? process.cwd());
  const secretsDir = resolvePath(cwd, options.secretsDir ?? join(cwd, ".secrets"));
  const environment = pickEnvironment(options.environment);
  const onWarning = onceEach(options.onWarning ?? ((m: string) => process.stderr.write(`hush: warning: ${m}\n`)));
  // Without a loaded config, the local store reads hush.yaml's `project:` and `keys:` at its first
  // key use (a project made by `hush init` keeps its key in the user's config folder).
  const keys = async () => {
    const { loadConfig } = await import("./config/load.js");
    const { config } = await loadConfig({ cwd, environment, env: options.env });
    return { project: config.project, keys: config.keys };
  };
  const sources = options.sources ?? createDefaultSources({ cwd, secretsDir, environment, env: options.env, onWarning, keys });
  return {
    cwd,
    secretsDir,
    environment,
    sources,
    cache: createSecretCache({ enabled: options.cache, ttlMs: options.cacheTtlMs }),
    tracker: createAccessTracker(environment, options.actor, options.audit, onWarning),
    onWarning,
  };
}

/** NOT_FOUND for a canonical name, naming the sources looked in and the variable. */
export function notFound(ctx: Pick<ManagerContext, "sources">, canonical: string): HushError {
  return new HushError("NOT_FOUND", `Secret "${canonical}" was not found in any source (looked in: ${ctx.sources.map((s) => s.name).join(", ")}; variable ${envName(canonical)}).`, { secret: canonical });
}

// --- internal ---

/** Passes each distinct warning on once (a lax permission would otherwise warn on every read). */
function onceEach(sink: (message: string) => void): (message: string) => void {
  const seen = new Set<string>();
  return (m) => {
    if (seen.size > 1000) seen.clear();
    if (seen.has(m)) return;
    seen.add(m);
    sink(m);
  };
}
