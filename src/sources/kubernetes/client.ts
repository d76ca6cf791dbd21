/**
 * The narrow Secret client of the kubernetes source's API mode, on `@kubernetes/client-node`
 * (imported lazily: a project that does not use the API never loads it). Configured in-cluster
 * (service-account token + CA, as the client's own `loadFromCluster`, with each path and the API
 * server's address overridable) or from a kubeconfig. Every call carries an AbortSignal so a slow
 * API server is a timeout, not a hang.
 *
 * The calls throw what the SDK throws (`ApiException` with `code` and `body`, fetch errors); the
 * source maps them (./errors.ts).
 */
import { existsSync, readFileSync } from "node:fs";
import type { Agent as HttpsAgent } from "node:https";
import { HushError } from "../../errors.js";

/** A Secret as hush uses it: `data` in base64, as the API keeps it. */
export interface SecretObject {
  name: string;
  resourceVersion?: string;
  data: Record<string, string>;
  /** Write-only in the API; a server never returns it, but a reply that has it is honoured. */
  stringData?: Record<string, string>;
}

/** The calls the source makes. */
export interface KubernetesSecretsClient {
  /** The namespace in effect (option, service-account file, kubeconfig context, else `default`). */
  readonly namespace: string;
  read(name: string, timeoutMs: number): Promise<SecretObject>;
  create(secret: SecretObject, timeoutMs: number): Promise<SecretObject>;
  replace(secret: SecretObject, timeoutMs: number): Promise<SecretObject>;
  /**
   * Opens a watch of one Secret (`fieldSelector=metadata.name=NAME`, bookmarks on): resolves once
   * the API server answered 200 (the stream is open), rejects with what the SDK threw otherwise
   * (an Error with `statusCode`, a fetch error) or a TimeoutError after `timeoutMs`.
   */
  watch(name: string, from: WatchFrom, onEvent: (type: string, object: unknown) => void): Promise<WatchStream>;
  /** Closes the kept-alive connections. */
  close(): void;
}

/** Where a watch starts: `resourceVersion` (unset: the current state as synthetic ADDED events), and its limits. */
export interface WatchFrom {
  resourceVersion?: string;
  /** The server ends the stream after this long (`timeoutSeconds`). */
  timeoutSeconds: number;
  /** How long the server may take to open the stream. */
  timeoutMs: number;
}

/** An open watch stream. */
export interface WatchStream {
  /** Settles when the stream ends: with null when the server closed it, else with the error. */
  readonly ended: Promise<unknown>;
  /** Ends the stream (idempotent). */
  abort(): void;
}

/** How to reach the API server. */
export interface KubernetesConnection {
  /** A kubeconfig file; absent: in-cluster when `server` or KUBERNETES_SERVICE_HOST is there, else the default kubeconfig. */
  kubeconfig?: string;
  /** The kubeconfig context. @default its current-context */
  context?: string;
  /** In-cluster: the API server. @default https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT */
  server?: string;
  /** In-cluster: the service-account token file (re-read as the kubelet rotates it). */
  tokenFile?: string;
  /** In-cluster: the CA bundle of the API server. */
  caFile?: string;
  /** The namespace; @default the service account's, the context's, else `default` */
  namespace?: string;
  env?: NodeJS.ProcessEnv;
}

/** The service-account files every pod has (projected volume). */
export const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/** Loads `@kubernetes/client-node` and builds the client; MISSING_DEPENDENCY when it is not installed. */
export async function createSecretsClient(connection: KubernetesConnection, sourceName: string): Promise<KubernetesSecretsClient> {
  const k8s = await loadSdk(sourceName);
  const { Agent: KeepAliveAgent } = await import("node:https"); // not at start-up: most runs never reach here
  const kc = new k8s.KubeConfig();
  const env = connection.env ?? process.env;
  let namespace = connection.namespace;
  const inCluster = connection.kubeconfig === undefined && (connection.server !== undefined || env.KUBERNETES_SERVICE_HOST !== undefined);
  try {
    if (inCluster) {
      const server = connection.server ?? `https://${bracketed(env.KUBERNETES_SERVICE_HOST!)}:${env.KUBERNETES_SERVICE_PORT ?? "443"}`;
      const tokenFile = connection.tokenFile ?? `${SERVICE_ACCOUNT_DIR}/token`;
      const caFile = connection.caFile ?? `${SERVICE_ACCOUNT_DIR}/ca.crt`;
      if (!existsSync(tokenFile)) throw new HushError("CONFIG_INVALID", `${sourceName}: the service-account token ${tokenFile} does not exist.`, { source: sourceName, hint: "Mount the service-account token (automountServiceAccountToken), or set tokenFile / kubeconfig on the source." });
      namespace ??= readNamespaceFile(`${SERVICE_ACCOUNT_DIR}/namespace`);
      kc.loadFromOptions({
        clusters: [{ name: "in-cluster", server, ...(existsSync(caFile) ? { caFile } : {}), skipTLSVerify: false }],
        users: [{ name: "service-account", authProvider: { name: "tokenFile", config: { tokenFile } } }],
        contexts: [{ name: "in-cluster", cluster: "in-cluster", user: "service-account", namespace }],
        currentContext: "in-cluster",
      });
    } else {
      if (connection.kubeconfig !== undefined) kc.loadFromFile(connection.kubeconfig);
      else kc.loadFromDefault();
      if (connection.context !== undefined) kc.setCurrentContext(connection.context);
      namespace ??= kc.getContextObject(kc.getCurrentContext())?.namespace;
    }
  } catch (e) {
    if (e instanceof HushError) throw e;
    // The SDK's messages may quote the kubeconfig (which holds tokens): only the errno is kept.
    throw new HushError("CONFIG_INVALID", `${sourceName}: cannot load the Kubernetes configuration${connection.kubeconfig ? ` from ${connection.kubeconfig}` : ""}.`, { source: sourceName, cause: errnoOnly(e) });
  }
  if (!kc.getCurrentCluster()) throw new HushError("CONFIG_INVALID", `${sourceName}: the Kubernetes configuration names no cluster.`, { source: sourceName });
  const api = kc.makeApiClient(k8s.CoreV1Api);
  const ns = namespace ?? "default";
  /**
   * The SDK makes a new agent (so a new TLS handshake) for every request; the first one's TLS
   * options (CA, client certificate) are the same for every later request of this client, so one
   * keep-alive agent built from them serves all (idle sockets do not hold the process open).
   */
  let agent: HttpsAgent | undefined;
  /** Per-call options: an AbortSignal after `timeoutMs` (the SDK has no timeout of its own), and the shared agent. */
  const withTimeout = (timeoutMs: number) => ({
    middleware: [
      {
        pre: (ctx: { setSignal(s: AbortSignal): void; getAgent(): unknown; setAgent(a: HttpsAgent): void }) => {
          ctx.setSignal(AbortSignal.timeout(timeoutMs));
          const made = ctx.getAgent();
          if (made instanceof KeepAliveAgent) ctx.setAgent((agent ??= new KeepAliveAgent({ ...made.options, keepAlive: true, maxSockets: 16 })));
          return new k8s.Observable(Promise.resolve(ctx));
        },
        post: (rsp: unknown) => new k8s.Observable(Promise.resolve(rsp)),
      },
    ],
    middlewareMergeStrategy: "append" as const,
  });
  const toObject = (s: { metadata?: { name?: string; resourceVersion?: string }; data?: Record<string, string>; stringData?: Record<string, string> }, name: string): SecretObject => ({
    name: s.metadata?.name ?? name,
    resourceVersion: s.metadata?.resourceVersion,
    data: s.data ?? {},
    ...(s.stringData ? { stringData: s.stringData } : {}),
  });
  const body = (s: SecretObject) => ({ apiVersion: "v1", kind: "Secret", metadata: { name: s.name, namespace: ns, ...(s.resourceVersion ? { resourceVersion: s.resourceVersion } : {}) }, type: "Opaque", data: s.data });
  type Opts = Parameters<typeof api.readNamespacedSecret>[1];
  return {
    namespace: ns,
    read: async (name, timeoutMs) => toObject(await api.readNamespacedSecret({ name, namespace: ns }, withTimeout(timeoutMs) as unknown as Opts), name),
    create: async (s, timeoutMs) => toObject(await api.createNamespacedSecret({ namespace: ns, body: body(s) }, withTimeout(timeoutMs) as unknown as Opts), s.name),
    replace: async (s, timeoutMs) => toObject(await api.replaceNamespacedSecret({ name: s.name, namespace: ns, body: body(s) }, withTimeout(timeoutMs) as unknown as Opts), s.name),
    watch: (name, from, onEvent) => openWatch(new k8s.Watch(kc), `/api/v1/namespaces/${ns}/secrets`, name, from, onEvent),
    close: () => agent?.destroy(),
  };
}

// --- internal ---

type Sdk = typeof import("@kubernetes/client-node");

async function loadSdk(sourceName: string): Promise<Sdk> {
  try {
    return await import("@kubernetes/client-node");
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") {
      throw new HushError("MISSING_DEPENDENCY", `${sourceName}: the Kubernetes API mode needs @kubernetes/client-node: npm install @kubernetes/client-node`, { source: sourceName });
    }
    throw new HushError("MISSING_DEPENDENCY", `${sourceName}: @kubernetes/client-node could not be loaded: npm install @kubernetes/client-node`, { source: sourceName, cause: errnoOnly(e) });
  }
}

/**
 * The SDK's `Watch` (list-watch GET, newline-delimited JSON events, each line parsed and handed
 * on) with what it lacks here: a limit on how long opening may take (its own 30 s timeout is
 * overwritten by its next line, in 1.4), and one `ended` promise for its `done` callback, which it
 * calls before returning when the reply is not 200.
 */
async function openWatch(watch: InstanceType<Sdk["Watch"]>, path: string, name: string, from: WatchFrom, onEvent: (type: string, object: unknown) => void): Promise<WatchStream> {
  let settle!: (outcome: unknown) => void;
  let done = false;
  const ended = new Promise<unknown>((r) => (settle = r));
  let controller: AbortController | undefined;
  let abandoned = false;
  const query = { fieldSelector: `metadata.name=${name}`, allowWatchBookmarks: true, timeoutSeconds: from.timeoutSeconds, resourceVersion: from.resourceVersion };
  const opening = watch.watch(path, query, (type, object) => !done && !abandoned && onEvent(type, object), (err: unknown) => {
    done = true;
    settle(err ?? null);
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error("the watch did not open in time"), { name: "TimeoutError" })), from.timeoutMs);
  });
  try {
    controller = await Promise.race([opening, timeout]);
  } catch (e) {
    abandoned = true;
    void opening.then((c) => c.abort(), () => undefined); // opened late: closed at once
    throw e;
  } finally {
    clearTimeout(timer);
  }
  if (done) throw await ended; // not 200: the SDK called done before returning
  return { ended, abort: () => controller?.abort() };
}

function readNamespaceFile(path: string): string | undefined {
  try {
    const ns = readFileSync(path, "utf8").trim();
    return /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(ns) ? ns : undefined;
  } catch {
    return undefined; // not in a pod: the namespace comes from the option, else `default`
  }
}

function bracketed(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

/** A cause with only the foreign error's code (its message may quote a kubeconfig or a reply). */
function errnoOnly(e: unknown): { code?: string } {
  const code = (e as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? { code } : {};
}
