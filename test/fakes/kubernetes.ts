/**
 * A fake Kubernetes API server, core v1 Secrets only, on test/fakes/http-fake.ts. It follows the
 * documented wire format (https://kubernetes.io/docs/reference/kubernetes-api/config-and-storage-resources/secret-v1/):
 *
 * - `GET/POST /api/v1/namespaces/{ns}/secrets`, `GET/PUT/PATCH/DELETE /api/v1/namespaces/{ns}/secrets/{name}`;
 * - `data` holds base64; `stringData` is write-only: merged into `data` on create/replace/patch, never returned;
 * - every failure is a `Status` object (`kind: Status`, `status: Failure`, `reason`, `details`, `code`);
 * - `metadata.resourceVersion` changes on each write; a replace carrying an older one is 409 Conflict;
 * - `Authorization: Bearer <token>`: an unknown token is 401, an RBAC denial 403 with the API
 *   server's message (`User "…" cannot get resource "secrets" in API group "" in the namespace "…"`);
 *   a list or watch with `fieldSelector=metadata.name=X` is authorized for the name X (resourceNames);
 * - `?watch=true` on the collection: the watch API (./kubernetes-watch.ts: chunked NDJSON events,
 *   resourceVersion, bookmarks, 410 for a too-old version, the stream ended at timeoutSeconds).
 *
 * @example
 * const k8s = await startKubernetesFake({ tls: makeSelfSignedCert(), tokens: ["t0"] }); // test/helpers/tls-cert.ts
 * k8s.put("default", "app", { api_key: "sk-1" });       // values given as text, stored base64
 * k8s.deny("get", "app");                               // RBAC: 403 on get of secrets/app
 */
import { startFakeServer, type FakeServer, type FakeRequest, type FakeResponse } from "./http-fake.js";
import { createFakeWatches, type FakeWatches, type WatchRecord } from "./kubernetes-watch.js";

export type { FakeWatches } from "./kubernetes-watch.js";

/** A Secret as the fake stores it. */
export interface FakeSecret {
  metadata: { name: string; namespace: string; resourceVersion: string; uid: string; creationTimestamp: string; labels?: Record<string, string> };
  type: string;
  data: Record<string, string>;
}

/** A running fake API server. */
export interface KubernetesFake {
  server: FakeServer;
  url: string;
  /** Secrets by `namespace/name`. */
  secrets: Map<string, FakeSecret>;
  /** Bearer tokens accepted; others get 401. */
  tokens: Set<string>;
  /** The user named in RBAC denials. */
  user: string;
  /** Stores a Secret from text values (base64-encoded as the API server keeps them). */
  put(namespace: string, name: string, values: Record<string, string>): void;
  /** The RBAC denials in force, as `verb/name` (`verb/*`: every Secret); clear it to allow again. */
  denied: Set<string>;
  /** RBAC: from now on `verb` on secrets (`name`, or every Secret) is 403. */
  deny(verb: Verb, name?: string): void;
  /** Removes a Secret (as `kubectl delete secret`): watchers see DELETED. */
  remove(namespace: string, name: string): void;
  /** The watch API's state and knobs (history, compact, bookmark, drop, endAll). */
  watches: FakeWatches;
  close(): Promise<void>;
}

/**
 * Starts the fake on 127.0.0.1, over HTTPS (the Kubernetes client refuses plain HTTP without
 * skipTLSVerify): `tls` is the server's key and certificate, whose CA the client is given.
 */
export async function startKubernetesFake(options: { tls: { key: string; cert: string }; tokens?: string[]; user?: string }): Promise<KubernetesFake> {
  const secrets = new Map<string, FakeSecret>();
  let version = 1000;
  let uid = 0;
  const watches = createFakeWatches(
    () => version,
    (ns) => [...secrets.values()].filter((s) => s.metadata.namespace === ns).map((s) => recordOf("ADDED", s)),
  );
  /** Stores `saved` and tells the watchers (ADDED or MODIFIED). */
  const store = (saved: FakeSecret, old: FakeSecret | undefined) => {
    secrets.set(`${saved.metadata.namespace}/${saved.metadata.name}`, saved);
    watches.record(recordOf(old ? "MODIFIED" : "ADDED", saved));
  };
  const removeSecret = (key: string, existing: FakeSecret) => {
    secrets.delete(key);
    // A deletion is a change of its own: the object in the event carries the deletion's version.
    const gone = { ...existing, metadata: { ...existing.metadata, resourceVersion: String(++version) } };
    watches.record(recordOf("DELETED", gone));
  };
  const fake: KubernetesFake = {
    server: undefined as unknown as FakeServer,
    url: "",
    secrets,
    denied: new Set<string>(),
    tokens: new Set(options.tokens ?? ["test-token"]),
    user: options.user ?? "system:serviceaccount:default:hush",
    put(namespace, name, values) {
      const data = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Buffer.from(v, "utf8").toString("base64")]));
      const old = secrets.get(`${namespace}/${name}`);
      store(newSecret(namespace, name, { ...old?.data, ...data }, old), old);
    },
    deny(verb, name) {
      fake.denied.add(`${verb}/${name ?? "*"}`);
    },
    remove(namespace, name) {
      const existing = secrets.get(`${namespace}/${name}`);
      if (existing) removeSecret(`${namespace}/${name}`, existing);
    },
    watches,
    close: () => fake.server.close(),
  };

  function newSecret(namespace: string, name: string, data: Record<string, string>, old?: FakeSecret, labels?: Record<string, string>): FakeSecret {
    return {
      metadata: {
        name,
        namespace,
        resourceVersion: String(++version),
        uid: old?.metadata.uid ?? `uid-${++uid}`,
        creationTimestamp: old?.metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, "Z"),
        ...(labels ?? old?.metadata.labels ? { labels: labels ?? old?.metadata.labels } : {}),
      },
      type: old?.type ?? "Opaque",
      data,
    };
  }

  function handle(req: FakeRequest): FakeResponse {
    const auth = req.headers.authorization;
    if (typeof auth !== "string" || !auth.startsWith("Bearer ") || !fake.tokens.has(auth.slice(7).trim())) return status(401, "Unauthorized", "Unauthorized");
    const m = /^\/api\/v1\/namespaces\/([a-z0-9-]+)\/secrets(?:\/([a-z0-9.-]+))?$/.exec(req.path);
    if (!m) return status(404, "NotFound", "the server could not find the requested resource");
    const [, namespace, name] = m as unknown as [string, string, string | undefined];
    const verb = verbOf(req.method, name, req.query.get("watch"));
    if (!verb) return status(405, "MethodNotAllowed", `the server does not allow this method on the requested resource`);
    // A list or watch narrowed to one name is authorized for that name (RBAC resourceNames).
    const authName = name ?? /^metadata\.name=([a-z0-9.-]+)$/.exec(req.query.get("fieldSelector") ?? "")?.[1];
    if ((authName !== undefined && fake.denied.has(`${verb}/${authName}`)) || fake.denied.has(`${verb}/*`)) {
      const target = name ? `secrets "${name}" is forbidden` : "secrets is forbidden";
      return status(403, "Forbidden", `${target}: User "${fake.user}" cannot ${verb} resource "secrets" in API group "" in the namespace "${namespace}"`, { name, kind: "secrets" });
    }
    const key = `${namespace}/${name}`;
    const existing = name ? secrets.get(key) : undefined;
    const notFound = () => status(404, "NotFound", `secrets "${name}" not found`, { name, kind: "secrets" });
    switch (verb) {
      case "get":
        return existing ? { status: 200, json: wire(existing) } : notFound();
      case "watch":
        return watches.serve(req, namespace);
      case "list":
        return {
          status: 200,
          json: { kind: "SecretList", apiVersion: "v1", metadata: { resourceVersion: String(version) }, items: [...secrets.values()].filter((s) => s.metadata.namespace === namespace).map(wire) },
        };
      case "delete":
        if (!existing) return notFound();
        removeSecret(key, existing);
        return { status: 200, json: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details: { name, kind: "secrets", uid: existing.metadata.uid } } };
      case "create":
      case "update":
      case "patch":
        return write(verb, namespace, name, existing, req);
    }
  }

  function write(verb: "create" | "update" | "patch", namespace: string, name: string | undefined, existing: FakeSecret | undefined, req: FakeRequest): FakeResponse {
    const body = req.json as { metadata?: { name?: string; resourceVersion?: string; labels?: Record<string, string> }; data?: Record<string, string | null>; stringData?: Record<string, string> } | undefined;
    if (!body || typeof body !== "object") return status(400, "BadRequest", "the body of the request was in an unknown format");
    const target = verb === "create" ? body.metadata?.name : name;
    if (!target) return status(422, "Invalid", 'Secret "" is invalid: metadata.name: Required value');
    if (verb === "create" && secrets.has(`${namespace}/${target}`)) return status(409, "AlreadyExists", `secrets "${target}" already exists`, { name: target, kind: "secrets" });
    if (verb !== "create" && !existing) return status(404, "NotFound", `secrets "${target}" not found`, { name: target, kind: "secrets" });
    const rv = body.metadata?.resourceVersion;
    if (verb === "update" && rv !== undefined && rv !== existing!.metadata.resourceVersion) {
      return status(409, "Conflict", `Operation cannot be fulfilled on secrets "${target}": the object has been modified; please apply your changes to the latest version and try again`, { name: target, kind: "secrets" });
    }
    // A replace sets data as given; a (merge) patch merges it, null removing a key.
    const data: Record<string, string> = verb === "patch" ? { ...existing!.data } : {};
    for (const [k, v] of Object.entries(body.data ?? {})) {
      if (v === null) delete data[k];
      else if (!/^[A-Za-z0-9+/]*={0,2}$/.test(v) || Buffer.from(v, "base64").toString("base64") !== v) return status(400, "BadRequest", `illegal base64 data in data.${k}`);
      else data[k] = v;
    }
    for (const [k, v] of Object.entries(body.stringData ?? {})) data[k] = Buffer.from(v, "utf8").toString("base64");
    const saved = newSecret(namespace, target, data, existing, body.metadata?.labels);
    store(saved, existing);
    return { status: verb === "create" ? 201 : 200, json: wire(saved) };
  }

  fake.server = await startFakeServer(handle, { tls: options.tls });
  fake.url = fake.server.url;
  return fake;
}

// --- internal ---

type Verb = "get" | "list" | "watch" | "create" | "update" | "patch" | "delete";

function verbOf(method: string, name: string | undefined, watch: string | null): Verb | undefined {
  if (method === "GET" && !name && (watch === "true" || watch === "1")) return "watch";
  if (method === "GET") return name ? "get" : "list";
  if (method === "POST" && !name) return "create";
  if (method === "PUT" && name) return "update";
  if (method === "PATCH" && name) return "patch";
  if (method === "DELETE" && name) return "delete";
  return undefined;
}

function recordOf(type: WatchRecord["type"], s: FakeSecret): WatchRecord {
  return { type, resourceVersion: Number(s.metadata.resourceVersion), namespace: s.metadata.namespace, name: s.metadata.name, ...(s.metadata.labels ? { labels: s.metadata.labels } : {}), object: wire(s) };
}

function wire(s: FakeSecret): unknown {
  return { kind: "Secret", apiVersion: "v1", metadata: s.metadata, type: s.type, data: s.data };
}

/** A `Status` failure as the API server sends it. */
function status(code: number, reason: string, message: string, details?: { name?: string; kind?: string }): FakeResponse {
  return { status: code, json: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, ...(details ? { details } : {}), code } };
}
