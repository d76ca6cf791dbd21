/**
 * The `kubernetes` source: Kubernetes Secrets, from a mounted volume (`dir`) or from the API.
 *
 * ```yaml
 * sources:
 *   - type: kubernetes
 *     options: { dir: /etc/secrets }          # a Secret mounted as a volume: no API access needed
 *     # or the API, in-cluster (service account) or from a kubeconfig:
 *     # options: { secret: agent-secrets, namespace: agents }
 * secrets:
 *   openai_api_key: { remote: { key: llm-keys, property: openai } }   # secretKeyRef {name, key}
 * ```
 *
 * Volume mode follows the kubelet's `..data` symlink swap, so an update is read whole and
 * `watch` sees it (./kubernetes/volume.ts). API mode uses `@kubernetes/client-node`, loaded only
 * when the source is first used (./kubernetes/api.ts, ./kubernetes/client.ts); its `watch` follows
 * the Secrets with the Kubernetes watch API (./kubernetes/watch.ts).
 */
import { resolve } from "node:path";
import type { SecretSource } from "../types.js";
import type { RemoteRef } from "../config/types.js";
import { option } from "../config/options-schema.js";
import { defineSourceType, type SourceContext } from "./descriptor.js";
import { createKubernetesVolumeSource } from "./kubernetes/volume.js";
import { createKubernetesApiSource, type KubernetesApiOptions } from "./kubernetes/api.js";
import type { KubernetesConnection } from "./kubernetes/client.js";
import { durationOption, remoteOptions } from "./remote/options.js";
import { withCache } from "./remote/cache.js";
import { withLastKnownGood } from "./remote/last-known-good.js";

/** Options of {@link createKubernetesSource}. */
export interface KubernetesSourceOptions extends KubernetesConnection {
  /** A mounted Secret volume (`/etc/secrets`): volume mode. Without it: API mode. */
  dir?: string;
  /** Volume mode: a missing folder reads as empty instead of failing. @default false */
  optional?: boolean;
  /** API mode: the Secret holding names without a `remote` entry. @default "hush" */
  secret?: string;
  /** API mode: `secrets.NAME.remote` by canonical name ({ key: Secret name, property: data key }). */
  remoteRefs?: Readonly<Record<string, RemoteRef>>;
  /** API mode: per-request timeout in ms. @default 10000 */
  timeoutMs?: number;
  /** API mode: retry tuning (tests). */
  retry?: KubernetesApiOptions["retry"];
  /** API mode: how often `watch` reads a Secret when the `watch` verb is denied, in ms. @default 10000 */
  watchIntervalMs?: number;
  /** API mode: `timeoutSeconds` of each watch request (tests). @default a random 300..600 */
  watchTimeoutSeconds?: number;
  /** The source's name in the chain. @default "kubernetes" */
  name?: string;
  /** Receives warnings (never values). */
  onWarning?: (message: string) => void;
}

/** `- type: kubernetes` in hush.yaml. */
export const kubernetesSourceType = defineSourceType({
  type: "kubernetes",
  summary: "Kubernetes Secrets: a mounted volume (`dir`, follows the kubelet's ..data swap) or the API (in-cluster or kubeconfig)",
  options: {
    dir: option.path({ description: "a mounted Secret volume (e.g. /etc/secrets), one file per key: volume mode; without it, API mode" }),
    optional: option.boolean({ description: "volume mode: a missing folder reads as empty instead of failing", default: false }),
    secret: option.string({ description: "API mode: the Secret holding names without a `remote` entry", default: "hush" }),
    namespace: option.string({ description: "API mode: the namespace", docDefault: "the service account's, else the kubeconfig context's, else default" }),
    kubeconfig: option.path({ description: "API mode: a kubeconfig file; without it, in-cluster when KUBERNETES_SERVICE_HOST or `server` is set, else the default kubeconfig" }),
    context: option.string({ description: "API mode: the kubeconfig context", docDefault: "current-context" }),
    server: option.string({ description: "API mode, in-cluster: the API server", docDefault: "https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT" }),
    tokenFile: option.path({ description: "API mode, in-cluster: the service-account token (re-read when refused)", docDefault: "/var/run/secrets/kubernetes.io/serviceaccount/token" }),
    caFile: option.path({ description: "API mode, in-cluster: the API server's CA bundle", docDefault: "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt" }),
    watchInterval: durationOption({ description: "API mode: how often `watch` (hush run --watch) reads a Secret when RBAC denies the `watch` verb; also the longest wait between two reconnects of a watch", default: 10_000, docDefault: "10s" }),
    ...remoteOptions,
  },
  create: (options, context: SourceContext) => {
    const path = (p: string | undefined) => (p === undefined ? undefined : resolve(context.root, p));
    if (options.dir !== undefined) return createKubernetesSource({ dir: path(options.dir), optional: options.optional, onWarning: context.onWarning });
    let source = createKubernetesSource({
      secret: options.secret,
      namespace: options.namespace,
      kubeconfig: path(options.kubeconfig),
      context: options.context,
      server: options.server,
      tokenFile: path(options.tokenFile),
      caFile: path(options.caFile),
      env: context.env,
      remoteRefs: context.remoteRefs,
      timeoutMs: options.timeout,
      watchIntervalMs: options.watchInterval,
      onWarning: context.onWarning,
    });
    if (options.offlineCache) source = withLastKnownGood(source, { maxStalenessMs: options.offlineCache.maxStaleness, dir: path(options.offlineCache.dir), context });
    return options.cacheTtl > 0 ? withCache(source, { ttlMs: options.cacheTtl, onWarning: context.onWarning }) : source;
  },
});

const SOURCE_NAME = "kubernetes";

/** Creates the `kubernetes` source: volume mode with `dir`, else API mode (no cache: the descriptor adds it). */
export function createKubernetesSource(options: KubernetesSourceOptions): SecretSource {
  const name = options.name ?? SOURCE_NAME;
  if (options.dir !== undefined) return createKubernetesVolumeSource({ dir: options.dir, name, optional: options.optional, onWarning: options.onWarning });
  return createKubernetesApiSource({
    name,
    connection: options,
    secret: options.secret ?? "hush",
    remoteRefs: options.remoteRefs,
    timeoutMs: options.timeoutMs ?? 10_000,
    retry: options.retry,
    ...(options.watchIntervalMs !== undefined ? { watchIntervalMs: options.watchIntervalMs } : {}),
    ...(options.watchTimeoutSeconds !== undefined ? { watchTimeoutSeconds: options.watchTimeoutSeconds } : {}),
    onWarning: options.onWarning,
  });
}
