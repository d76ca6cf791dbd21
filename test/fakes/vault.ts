/**
 * A fake HashiCorp Vault on 127.0.0.1, on test/fakes/http-fake.ts, speaking the documented HTTP
 * API (developer.hashicorp.com/vault/api-docs): KV v2 (`/v1/<mount>/data|metadata|delete|undelete|destroy/<path>`,
 * LIST as `GET ?list=true`, which Vault documents as the same as the LIST method; the method itself
 * never reaches a Node server, whose parser (llhttp) refuses unknown methods with a 400), `X-Vault-Token`, `X-Vault-Namespace` (each namespace has its
 * own data), a sealed state (503), token lookup-self / renew-self, AppRole and Kubernetes login, and
 * transit encrypt / decrypt. Errors are `{"errors": [...]}`; a missing, unknown or expired token is
 * 403 "permission denied", as Vault answers it.
 *
 * @example
 * const vault = await startVaultFake();
 * vault.kv().write("apps/llm", { data: { openai: "sk-..." } });
 * // point the source at vault.url with token vault.rootToken
 * await vault.close();
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { startFakeServer, type FakeRequest, type FakeResponse, type FakeServer } from "./http-fake.js";
import { envelope, errors, KvEngine, type KvReply } from "./vault-kv.js";

/** A token the fake knows. */
export interface FakeToken {
  policies: string[];
  /** ms since the epoch; undefined: never expires (root). */
  expiresAt?: number;
  ttlSeconds: number;
  renewable: boolean;
  /** How many times renew-self was called. */
  renewals: number;
}

/** The running fake and its state, open to tests. */
export interface VaultFake {
  url: string;
  /** The HTTP layer: request log, faults (429, 5xx, delay, drop, malformed). */
  server: FakeServer;
  /** A token that never expires and may do everything (but what `deny` denies). */
  rootToken: string;
  tokens: Map<string, FakeToken>;
  /** When true, every request is 503 "Vault is sealed". */
  sealed: boolean;
  /** The KV v2 engine of `mount` (default `secret`) in `namespace` (default the root). */
  kv(mount?: string, namespace?: string): KvEngine;
  /** Makes a token; `ttlSeconds` 0 = never expires. */
  createToken(options?: { ttlSeconds?: number; renewable?: boolean; policies?: string[] }): string;
  /** Makes `token` expire now (later requests with it are 403). */
  expireToken(token: string): void;
  /** Every request to an API path (after `/v1/`, e.g. `secret/data/app/x`) starting with `prefix` is 403. */
  deny(prefix: string): void;
  /** AppRole: a role_id with its secret_id; login makes tokens of `ttlSeconds`. */
  addAppRole(roleId: string, secretId: string, ttlSeconds?: number): void;
  /** Kubernetes auth: `role` accepts `jwt`; login makes tokens of `ttlSeconds`. */
  addKubernetesRole(role: string, jwt: string, ttlSeconds?: number): void;
  /**
   * Called before each request is handled (tests: another writer acting at an exact point, or one
   * request failing); a reply it returns is sent instead. `api` is the path after `/v1/`.
   */
  beforeRequest?: (method: string, api: string) => FakeResponse | undefined;
  /** Logins made, by method (`approle`, `kubernetes`). */
  logins: string[];
  close(): Promise<void>;
}

/** Starts the fake on a random loopback port. */
export async function startVaultFake(): Promise<VaultFake> {
  const engines = new Map<string, KvEngine>();
  const denied: string[] = [];
  const appRoles = new Map<string, { secretId: string; ttl: number }>();
  const k8sRoles = new Map<string, { jwt: string; ttl: number }>();
  const transitKeys = new Map<string, Buffer>();
  const fake: VaultFake = {
    url: "",
    server: undefined as unknown as FakeServer,
    rootToken: `hvs.root-${randomBytes(12).toString("hex")}`,
    tokens: new Map(),
    sealed: false,
    logins: [],
    kv(mount = "secret", namespace = "") {
      const key = `${namespace.replace(/^\/+|\/+$/g, "")}\0${mount}`;
      let e = engines.get(key);
      if (!e) engines.set(key, (e = new KvEngine()));
      return e;
    },
    createToken(options = {}) {
      const token = `hvs.${randomBytes(18).toString("base64url")}`;
      const ttl = options.ttlSeconds ?? 3600;
      fake.tokens.set(token, { policies: options.policies ?? ["default"], ttlSeconds: ttl, renewable: options.renewable ?? true, renewals: 0, ...(ttl > 0 ? { expiresAt: Date.now() + ttl * 1000 } : {}) });
      return token;
    },
    expireToken(token) {
      const t = fake.tokens.get(token);
      if (t) t.expiresAt = Date.now() - 1;
    },
    deny: (prefix) => void denied.push(prefix),
    addAppRole: (roleId, secretId, ttl = 3600) => void appRoles.set(roleId, { secretId, ttl }),
    addKubernetesRole: (role, jwt, ttl = 3600) => void k8sRoles.set(role, { jwt, ttl }),
    close: () => fake.server.close(),
  };
  fake.tokens.set(fake.rootToken, { policies: ["root"], ttlSeconds: 0, renewable: false, renewals: 0 });

  const reply = (r: KvReply): FakeResponse => (r.json === undefined ? { status: r.status } : { status: r.status, json: r.json });
  const login = (ttl: number, method: string): FakeResponse => {
    fake.logins.push(method);
    const token = fake.createToken({ ttlSeconds: ttl });
    return { status: 200, json: envelope(null, { client_token: token, accessor: randomBytes(8).toString("hex"), policies: ["default"], token_policies: ["default"], metadata: {}, lease_duration: ttl, renewable: true }) };
  };

  fake.server = await startFakeServer((req) => {
    if (fake.sealed) return reply(errors(503, "Vault is sealed"));
    const api = req.path.replace(/^\/v1\//, "");
    const instead = fake.beforeRequest?.(req.method, api);
    if (instead) return instead;
    if (!req.path.startsWith("/v1/")) return reply(errors(404));
    if (req.method === "POST" && api === "auth/approle/login") {
      const { role_id, secret_id } = (req.json ?? {}) as { role_id?: string; secret_id?: string };
      const role = role_id !== undefined ? appRoles.get(role_id) : undefined;
      return role && role.secretId === secret_id ? login(role.ttl, "approle") : reply(errors(400, "invalid role or secret ID"));
    }
    if (req.method === "POST" && api === "auth/kubernetes/login") {
      const { role, jwt } = (req.json ?? {}) as { role?: string; jwt?: string };
      const r = role !== undefined ? k8sRoles.get(role) : undefined;
      return r && r.jwt === jwt ? login(r.ttl, "kubernetes") : reply(errors(403, "permission denied"));
    }
    const tokenHeader = req.headers["x-vault-token"];
    const token = typeof tokenHeader === "string" ? fake.tokens.get(tokenHeader) : undefined;
    if (!token || (token.expiresAt !== undefined && token.expiresAt <= Date.now())) return reply(errors(403, "permission denied"));
    if (api === "auth/token/lookup-self") return tokenInfo(tokenHeader as string, token);
    if (api === "auth/token/renew-self" && req.method === "POST") return renew(tokenHeader as string, token);
    if (denied.some((p) => api.startsWith(p))) return reply(errors(403, "permission denied"));
    const ns = typeof req.headers["x-vault-namespace"] === "string" ? req.headers["x-vault-namespace"] : "";
    if (api.startsWith("transit/")) return transit(api, req);
    return reply(routeKv(fake, api, ns, req));
  });
  fake.url = fake.server.url;
  return fake;

  function transit(api: string, req: FakeRequest): FakeResponse {
    const [, op, name] = api.split("/");
    if (!name || (op !== "encrypt" && op !== "decrypt") || req.method !== "POST") return reply(errors(404));
    const body = (req.json ?? {}) as { plaintext?: string; ciphertext?: string };
    if (op === "encrypt") {
      if (typeof body.plaintext !== "string") return reply(errors(400, "missing plaintext to encrypt"));
      let key = transitKeys.get(name);
      if (!key) transitKeys.set(name, (key = randomBytes(32)));
      const iv = randomBytes(12);
      const c = createCipheriv("aes-256-gcm", key, iv);
      const ct = Buffer.concat([c.update(Buffer.from(body.plaintext, "base64")), c.final()]);
      return { status: 200, json: envelope({ ciphertext: `vault:v1:${Buffer.concat([iv, ct, c.getAuthTag()]).toString("base64")}`, key_version: 1 }) };
    }
    const key = transitKeys.get(name);
    if (!key) return reply(errors(400, "encryption key not found"));
    const m = /^vault:v1:([A-Za-z0-9+/=]+)$/.exec(body.ciphertext ?? "");
    if (!m) return reply(errors(400, "invalid ciphertext: no prefix"));
    try {
      const raw = Buffer.from(m[1]!, "base64");
      const d = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
      d.setAuthTag(raw.subarray(raw.length - 16));
      const pt = Buffer.concat([d.update(raw.subarray(12, raw.length - 16)), d.final()]);
      return { status: 200, json: envelope({ plaintext: pt.toString("base64") }) };
    } catch {
      return reply(errors(400, "cipher: message authentication failed"));
    }
  }
}

// --- internal ---

function tokenInfo(id: string, t: FakeToken): FakeResponse {
  const ttl = t.expiresAt === undefined ? 0 : Math.max(0, Math.round((t.expiresAt - Date.now()) / 1000));
  const data = { accessor: "acc", creation_ttl: t.ttlSeconds, display_name: "token", expire_time: t.expiresAt === undefined ? null : new Date(t.expiresAt).toISOString(), explicit_max_ttl: 0, id, policies: t.policies, renewable: t.renewable, ttl, type: "service", orphan: false, num_uses: 0, path: "auth/token/create", meta: null };
  return { status: 200, json: envelope(data) };
}

function renew(id: string, t: FakeToken): FakeResponse {
  if (!t.renewable) return { status: 400, json: { errors: ["lease is not renewable"] } };
  t.renewals++;
  t.expiresAt = Date.now() + t.ttlSeconds * 1000;
  return { status: 200, json: envelope(null, { client_token: id, accessor: "acc", policies: t.policies, token_policies: t.policies, metadata: null, lease_duration: t.ttlSeconds, renewable: true }) };
}

/** `<mount>/<data|metadata|delete|undelete|destroy>/<path>` to the KV engine. */
function routeKv(fake: VaultFake, api: string, ns: string, req: FakeRequest): KvReply {
  const m = /^([^/]+)\/(data|metadata|delete|undelete|destroy)(?:\/(.*))?$/.exec(api);
  if (!m) return errors(404, `no handler for route "${api}". route entry not found.`);
  const [, mount, kind, rawPath = ""] = m;
  const kv = fake.kv(mount, ns);
  const path = decodeURIComponent(rawPath);
  const isList = req.method === "LIST" || (req.method === "GET" && req.query.get("list") === "true");
  if (kind === "metadata" && isList) return kv.list(path);
  if (path === "") return errors(404);
  if (kind === "data" && req.method === "GET") return kv.read(path, req.query.has("version") ? Number(req.query.get("version")) : undefined);
  if (kind === "data" && (req.method === "POST" || req.method === "PUT")) return kv.write(path, req.json);
  if (kind === "data" && req.method === "DELETE") return kv.mark(path, "delete");
  if (kind === "metadata" && req.method === "GET") return kv.metadata(path);
  if (kind === "metadata" && (req.method === "POST" || req.method === "PUT")) return kv.writeMetadata(path, req.json);
  if (kind === "metadata" && req.method === "DELETE") return kv.deleteAll(path);
  if ((kind === "delete" || kind === "undelete" || kind === "destroy") && (req.method === "POST" || req.method === "PUT")) return kv.mark(path, kind, (req.json as { versions?: unknown } | undefined)?.versions);
  return errors(405, "unsupported operation");
}
