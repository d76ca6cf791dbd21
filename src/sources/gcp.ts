/**
 * The `gcp` source: Google Secret Manager, through the official SDK (`@google-cloud/secret-manager`,
 * an optional peer dependency loaded on first use) with Application Default Credentials.
 *
 * ```yaml
 * sources:
 *   - type: gcp
 *     options:
 *       project: my-project        # else GOOGLE_CLOUD_PROJECT, else the credentials' project
 *       prefix: agents-prod-       # openai_api_key -> secret id agents-prod-openai_api_key
 *       location: europe-west1     # regional secrets (optional)
 *       cacheTtl: 5m
 * secrets:
 *   database.config:
 *     remote: { key: app-config, property: database, version: stable }   # JSON property of an alias
 * ```
 *
 * Reads access `latest` (or the mapped number or alias) and check the payload's CRC32C; a disabled
 * or destroyed version is DELETED; PERMISSION_DENIED is ACCESS_DENIED; NOT_FOUND is "not here";
 * RESOURCE_EXHAUSTED and UNAVAILABLE are retried (bounded), then SOURCE_UNAVAILABLE. Writes add a
 * version (creating the secret on first write); `delete` removes the secret with its etag. Rotation
 * stages on version aliases (`hush-current`, `hush-pending`: gcp/stage.ts) when `rotation` is on,
 * and then reads follow `hush-current` when a secret has it. See
 * docs/gcp.md for IAM, Cloud Run and GKE.
 */
import { HushError } from "./../errors.js";
import type { SecretRecord, SecretSource, SecretVersionInfo } from "../types.js";
import { kindOf, option, type FieldSpec, type OptionField } from "../config/options-schema.js";
import { assertValidName } from "../names.js";
import { defineSourceType, type SourceContext } from "./descriptor.js";
import { withCache } from "./remote/cache.js";
import { withLastKnownGood } from "./remote/last-known-good.js";
import { remoteOptions } from "./remote/options.js";
import { checkGcp } from "./gcp/check.js";
import { listNames } from "./gcp/list.js";
import { listVersions, readSecret } from "./gcp/read.js";
import { lazySession, locate, type GcpSettings } from "./gcp/session.js";
import { discardPendingVersion, promoteVersion, readPending, stageVersion, writeCurrent } from "./gcp/stage.js";
import { deleteSecret, writeSecret } from "./gcp/write.js";

/** Options of {@link createGcpSource}. */
export interface GcpSourceOptions {
  /** The Google Cloud project id. @default GOOGLE_CLOUD_PROJECT, else the credentials' project */
  project?: string;
  /** A location for regional secrets (`europe-west1`); global secrets when absent. */
  location?: string;
  /** The API's URL. @default https://secretmanager.googleapis.com (regional: secretmanager.<location>.rep.googleapis.com) */
  endpoint?: string;
  /** Prepended to each name to make its secret id. @default "" */
  prefix?: string;
  /** `key=value` labels put on the secrets hush creates, and required of the secrets it lists. @default [] */
  labels?: string[];
  /** Per-request timeout, ms. @default 10000 */
  timeoutMs?: number;
  /** How long a value is served from memory, ms (0: no cache). @default 60000 */
  cacheTtlMs?: number;
  /** Serve an encrypted last-known-good copy (with a warning) while Google is unreachable. */
  offlineCache?: { maxStalenessMs: number; dir?: string };
  /** Most attempts per call. @default 4 */
  attempts?: number;
  /**
   * Where `list()` finds names: `api` lists the project's secrets (needs `secretmanager.secrets.list`
   * on the project); `mapped` lists only the names hush.yaml maps with `secrets.NAME.remote`, with no
   * call, so an app needs nothing beyond secretAccessor on its own secrets. @default "api"
   */
  listing?: "api" | "mapped";
  /**
   * Zero-downtime rotation on version aliases (`hush rotate`, gcp/stage.ts): plain reads then
   * follow the alias `hush-current` when a secret has it (one more call for a secret without it),
   * and writes move it. Off: reads take `latest` as any other client does, and the source cannot
   * stage. @default false
   */
  rotation?: boolean;
}

const PROJECT = /^[a-z][a-z0-9-]{4,61}[a-z0-9]$|^\d{1,20}$/;
const LOCATION = /^[a-z][a-z0-9-]{1,62}$/;
const PREFIX = /^[A-Za-z0-9_-]{0,200}$/;

/** `- type: gcp` in hush.yaml. */
export const gcpSourceType = defineSourceType({
  type: "gcp",
  summary: "Google Secret Manager (`@google-cloud/secret-manager`, Application Default Credentials)",
  options: {
    project: patternOption(PROJECT, "a project id or number", { description: "Google Cloud project id", docDefault: "GOOGLE_CLOUD_PROJECT, else the credentials' project" }),
    location: patternOption(LOCATION, "a location such as europe-west1", { description: "location of regional secrets (`europe-west1`); global secrets when absent" }),
    endpoint: patternOption(/^https?:\/\/[^\s/]+\/?$/, "a URL such as https://secretmanager.googleapis.com", { description: "API URL (https; http only to loopback, for emulators)", docDefault: "https://secretmanager.googleapis.com" }),
    prefix: patternOption(PREFIX, "letters, digits, '_' and '-' (secret ids allow nothing else)", { description: "prepended to each name to make its secret id (`agents-prod-`)", docDefault: '""' }),
    listing: option.choice(["api", "mapped"] as const, { description: "`api`: list the project's secrets (needs secretmanager.secrets.list); `mapped`: only the names of `secrets.NAME.remote` entries, no call (least privilege)", default: "api" }),
    rotation: option.boolean({ description: "zero-downtime `hush rotate` on version aliases: reads follow `hush-current` when a secret has it (docs/gcp.md)", default: false }),
    labels: option.strings({ description: "`key=value` labels put on created secrets and required of listed ones", pattern: /^[a-z][a-z0-9_-]{0,62}=[a-z0-9_-]{0,63}$/, docDefault: "[]" }),
    ...remoteOptions,
  },
  create: (options, context) =>
    createGcpSource(
      {
        ...(options.project !== undefined ? { project: options.project } : {}),
        ...(options.location !== undefined ? { location: options.location } : {}),
        ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
        ...(options.prefix !== undefined ? { prefix: options.prefix } : {}),
        ...(options.labels !== undefined ? { labels: options.labels } : {}),
        listing: options.listing,
        rotation: options.rotation,
        timeoutMs: options.timeout,
        cacheTtlMs: options.cacheTtl,
        ...(options.offlineCache ? { offlineCache: { maxStalenessMs: options.offlineCache.maxStaleness, ...(options.offlineCache.dir !== undefined ? { dir: options.offlineCache.dir } : {}) } } : {}),
      },
      context,
    ),
});

const SOURCE_NAME = "gcp";

/** Creates the `gcp` source; connects on first use. */
export function createGcpSource(options: GcpSourceOptions, context: SourceContext): SecretSource {
  const settings = settingsOf(options, context);
  const session = lazySession(settings);
  let disposed: Promise<void> | undefined;
  const source: SecretSource = {
    name: SOURCE_NAME,
    get: async (name) => readSecret(settings, await session.get(), name),
    getMany: async (names) => mapLimit(names, 8, (n) => source.get(n)),
    list: async () => (options.listing === "mapped" ? Object.keys(settings.remoteRefs) : listNames(settings, await session.get())),
    set: async (name, value) => (settings.rotation ? writeCurrent : writeSecret)(settings, await session.get(), name, value),
    delete: async (name) => deleteSecret(settings, await session.get(), name),
    versions: async (name): Promise<SecretVersionInfo[]> => {
      assertValidName(name);
      const s = await session.get();
      const loc = locate(settings, s, name, "list versions");
      return (loc && (await listVersions(settings, s, loc))) ?? [];
    },
    getVersion: async (name, version) => readSecret(settings, await session.get(), name, String(version)),
    rollback: async (name, toVersion): Promise<SecretRecord> => {
      const old = await readSecret(settings, await session.get(), name, String(toVersion));
      if (!old) throw new HushError("VERSION_NOT_FOUND", `${SOURCE_NAME}: ${name} has no version ${toVersion}.`, { source: SOURCE_NAME, secret: name });
      return (settings.rotation ? writeCurrent : writeSecret)(settings, await session.get(), name, old.value);
    },
    ...(settings.rotation
      ? {
          stage: async (name: string, value: string) => stageVersion(settings, await session.get(), name, value),
          getPending: async (name: string) => readPending(settings, await session.get(), name),
          promote: async (name: string, version: number) => promoteVersion(settings, await session.get(), name, version),
          discardPending: async (name: string, version: number) => discardPendingVersion(settings, await session.get(), name, version),
        }
      : {}),
    check: async () => checkGcp(settings, session),
    dispose: () => (disposed ??= session.close()),
  };
  let wrapped = source;
  if (options.offlineCache) wrapped = withLastKnownGood(wrapped, { ...options.offlineCache, context });
  return (options.cacheTtlMs ?? 60_000) > 0 ? withCache(wrapped, { ttlMs: options.cacheTtlMs ?? 60_000, onWarning: context.onWarning }) : wrapped;
}

// --- internal ---

function settingsOf(options: GcpSourceOptions, context: SourceContext): GcpSettings {
  const prefix = options.prefix ?? "";
  if (!PREFIX.test(prefix)) throw new HushError("CONFIG_INVALID", `${SOURCE_NAME}: the prefix may hold letters, digits, '_' and '-' only (secret ids allow nothing else).`);
  if (options.location !== undefined && !LOCATION.test(options.location)) throw new HushError("CONFIG_INVALID", `${SOURCE_NAME}: the location is not a Google Cloud location name such as europe-west1.`);
  if (options.project !== undefined && !PROJECT.test(options.project)) throw new HushError("CONFIG_INVALID", `${SOURCE_NAME}: the project is not a Google Cloud project id or number.`);
  const labels = Object.fromEntries((options.labels ?? []).map((l) => l.split("=", 2) as [string, string]));
  return {
    source: SOURCE_NAME,
    prefix,
    labels,
    timeoutMs: options.timeoutMs ?? 10_000,
    ...(options.attempts !== undefined ? { attempts: options.attempts } : {}),
    env: context.env ?? process.env,
    remoteRefs: context.remoteRefs ?? {},
    rotation: options.rotation === true,
    ...(options.project !== undefined ? { project: options.project } : {}),
    ...(options.location !== undefined ? { location: options.location } : {}),
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
  };
}

/** A string option that must match `pattern` (checked when hush.yaml loads; the value is never echoed). */
function patternOption<const S extends FieldSpec<string>>(pattern: RegExp, what: string, spec: S): OptionField<string, false> {
  return {
    docType: "string",
    ...spec,
    check(value, path, add) {
      if (typeof value === "string" && pattern.test(value)) return value;
      add(path, `expected ${what}, got ${typeof value === "string" ? "another string" : kindOf(value)}.`);
      return undefined;
    },
  };
}

/** `fn` over `items`, at most `limit` at a time, results in order; the first failure rejects. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
