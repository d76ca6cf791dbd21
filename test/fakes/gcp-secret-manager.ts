/**
 * A fake Google Secret Manager: the v1 REST API (https://cloud.google.com/secret-manager/docs/reference/rest)
 * on test/fakes/http-fake.ts, for `@google-cloud/secret-manager` in REST mode (`fallback: true`)
 * pointed at it with `apiEndpoint`, `port` and `protocol: "http"`.
 *
 * It keeps secrets (global, and regional under `locations/*`) with labels, `versionAliases`
 * and an `etag`; numbered versions in the states ENABLED, DISABLED and DESTROYED; access of
 * `latest`, a number or an alias with `payload.data` (base64) and `payload.dataCrc32c`; `etag`
 * preconditions (FAILED_PRECONDITION, HTTP 400, on a stale one, as
 * https://cloud.google.com/secret-manager/docs/etags documents); `secrets.patch` of labels and
 * `versionAliases` (updateMask), the etag in the body; lists with `pageSize`/`pageToken`/`nextPageToken` and
 * `filter`; Google's error shape. Names in replies carry the project *number*, as the real API's
 * do. Requests need credentials (gcp-common.ts); a test can deny names (PERMISSION_DENIED) and
 * corrupt a checksum.
 *
 * @example
 * const sm = await startGcpSecretManagerFake({ projectId: "demo" });
 * sm.seed("demo", "openai_api_key", "sk-...");
 * // client: new SecretManagerServiceClient({ fallback: true, apiEndpoint: "127.0.0.1", port: sm.port, protocol: "http", credentials: sm.account.json })
 */
import { startFakeServer, type FakeRequest, type FakeResponse, type FakeServer } from "./http-fake.js";
import { authenticate, googleError, makeServiceAccount, splitVerb, tokenEndpoint, type FakeServiceAccount } from "./gcp-common.js";
import { crc32c } from "../../src/sources/gcp/crc32c.js";
import { listReply, matchesFilter, type FilterTarget } from "./gcp-secret-manager-list.js";

/** A version's state (google.cloud.secretmanager.v1.SecretVersion.State). */
export type FakeVersionState = "ENABLED" | "DISABLED" | "DESTROYED";

/** One stored version. */
export interface FakeVersion {
  number: number;
  data: Buffer;
  state: FakeVersionState;
  createTime: Date;
  etag: string;
}

/** One stored secret, keyed by `projects/<id>[/locations/<loc>]/secrets/<secret>`. */
export interface FakeSecret {
  id: string;
  /** `projects/<id>` or `projects/<id>/locations/<loc>`. */
  parent: string;
  labels: Record<string, string>;
  versionAliases: Record<string, number>;
  etag: string;
  createTime: Date;
  versions: FakeVersion[];
}

/** A running fake Secret Manager. */
export interface GcpSecretManagerFake {
  server: FakeServer;
  port: number;
  url: string;
  account: FakeServiceAccount;
  /** Project id -> project number, for the names in replies. */
  projectNumber: string;
  secrets: Map<string, FakeSecret>;
  /** Largest page a list returns (real: 25,000); small by default so tests page. @default 25 */
  maxPageSize: number;
  /** Secret ids whose every call is PERMISSION_DENIED. */
  denied: Set<string>;
  /** When true, listing secrets is PERMISSION_DENIED (a caller with secretAccessor only). */
  listDenied: boolean;
  /** Secret ids whose access replies carry a wrong `dataCrc32c`. */
  corrupted: Set<string>;
  /** Count of `:access` calls served. */
  accessCount: number;
  /** Credentials signed or issued before this time (ms) are refused (UNAUTHENTICATED): an expired token. */
  tokensNotBefore: number;
  /** The next `:addVersion` is applied, then its reply is held this long (a reply lost after the write). */
  holdNextAddReplyMs: number;
  /** The next `secrets.patch` is applied, then its reply is held this long (a reply lost after the write). */
  holdNextPatchReplyMs: number;
  /** Adds a version (creating the secret) from the test's side; returns its number. */
  seed(parent: string, id: string, value: string | Buffer): number;
  /** The stored secret, by parent (`projects/p` or `projects/p/locations/l`) and id. */
  secret(parent: string, id: string): FakeSecret | undefined;
  close(): Promise<void>;
}

/** Options of {@link startGcpSecretManagerFake}. */
export interface GcpSecretManagerFakeOptions {
  /** @default "hush-test" */
  projectId?: string;
}

/** Starts the fake on 127.0.0.1 (a random port). */
export async function startGcpSecretManagerFake(options: GcpSecretManagerFakeOptions = {}): Promise<GcpSecretManagerFake> {
  const projectId = options.projectId ?? "hush-test";
  const issued = new Map<string, { email: string; at: number }>();
  let clock = 0;
  const etag = () => `"${(Date.now() * 1000 + ++clock).toString(16)}"`;
  const server = await startFakeServer((req) => handle(req));
  const account = makeServiceAccount(server.url, projectId);
  const fake: GcpSecretManagerFake = {
    server,
    port: server.port,
    url: server.url,
    account,
    projectNumber: "846123451234",
    secrets: new Map(),
    maxPageSize: 25,
    denied: new Set(),
    listDenied: false,
    corrupted: new Set(),
    accessCount: 0,
    tokensNotBefore: 0,
    holdNextAddReplyMs: 0,
    holdNextPatchReplyMs: 0,
    seed(parent, id, value) {
      const s = fake.secret(parent, id) ?? createSecret(parent, id, {});
      return addVersion(s, Buffer.isBuffer(value) ? value : Buffer.from(value, "utf8")).number;
    },
    secret: (parent, id) => fake.secrets.get(`${parent}/secrets/${id}`),
    close: () => server.close(),
  };

  function createSecret(parent: string, id: string, body: { labels?: Record<string, string> }): FakeSecret {
    const s: FakeSecret = { id, parent, labels: { ...body.labels }, versionAliases: {}, etag: etag(), createTime: new Date(), versions: [] };
    fake.secrets.set(`${parent}/secrets/${id}`, s);
    return s;
  }
  function addVersion(s: FakeSecret, data: Buffer): FakeVersion {
    const v: FakeVersion = { number: s.versions.length + 1, data, state: "ENABLED", createTime: new Date(), etag: etag() };
    s.versions.push(v);
    return v;
  }
  /** `projects/<id or number>/...` with the id, so both spellings reach one secret. */
  function normal(path: string): string {
    return path.replace(/^projects\/[^/]+/, (m) => (m === `projects/${fake.projectNumber}` ? `projects/${projectId}` : m));
  }
  const numbered = (name: string) => name.replace(/^projects\/[^/]+/, `projects/${fake.projectNumber}`);
  const ints = (req: FakeRequest) => /enum-encoding=int/.test(req.query.get("$alt") ?? "");
  const STATE_NUMBER = { ENABLED: 1, DISABLED: 2, DESTROYED: 3 } as const;

  function secretJson(s: FakeSecret): object {
    const aliases = Object.fromEntries(Object.entries(s.versionAliases).map(([k, v]) => [k, String(v)]));
    return { name: numbered(`${s.parent}/secrets/${s.id}`), replication: { automatic: {} }, createTime: s.createTime.toISOString(), labels: s.labels, etag: s.etag, versionAliases: aliases };
  }
  function versionJson(s: FakeSecret, v: FakeVersion, req: FakeRequest): object {
    const out: Record<string, unknown> = { name: numbered(`${s.parent}/secrets/${s.id}/versions/${v.number}`), createTime: v.createTime.toISOString(), state: ints(req) ? STATE_NUMBER[v.state] : v.state, etag: v.etag, clientSpecifiedPayloadChecksum: true };
    if (v.state === "DESTROYED") out.destroyTime = v.createTime.toISOString();
    return out;
  }

  async function handle(req: FakeRequest): Promise<FakeResponse> {
    if (req.path === "/token" && req.method === "POST") return tokenEndpoint(req, account, issued);
    if (!authenticate(req, account, issued, fake.tokensNotBefore)) return googleError("UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access token.");
    const m = /^\/v1\/(projects\/[^/]+(?:\/locations\/[^/]+)?)(?:\/secrets(?:\/([^/:]+)(?:\/versions(?:\/([^/:]+))?)?)?)?(?::([A-Za-z]+))?$/.exec(req.path);
    if (!m) return googleError("NOT_FOUND", "The requested URL was not found on this server.");
    const parent = normal(m[1]!);
    const [id, versionRef] = [m[2], m[3]];
    const { verb } = splitVerb(req.path);
    if (parent.split("/")[1] !== projectId) return googleError("PERMISSION_DENIED", `Permission denied on resource project ${parent.split("/")[1]}.`);
    if (id !== undefined && fake.denied.has(id)) return googleError("PERMISSION_DENIED", `Permission 'secretmanager.versions.access' denied for resource '${numbered(`${parent}/secrets/${id}`)}' (or it may not exist).`);
    if (id === undefined) return secretsCollection(req, parent);
    const s = fake.secret(parent, id);
    if (req.path.endsWith("/versions") && req.method === "GET") return s ? listReply(req, s.versions.map((v) => ({ id: String(v.number), labels: {}, state: v.state, json: versionJson(s, v, req) })), fake.maxPageSize, "versions") : notFound("Secret", parent, id);
    if (versionRef === undefined) return secretItem(req, parent, id, s, verb);
    if (!s) return notFound("Secret", parent, id);
    const v = resolveVersion(s, versionRef);
    if (!v) return googleError("NOT_FOUND", `Secret Version [${numbered(`${parent}/secrets/${id}/versions/${versionRef}`)}] not found.`);
    return versionItem(req, s, v, verb);
  }

  function secretsCollection(req: FakeRequest, parent: string): FakeResponse {
    if (req.method === "GET") {
      if (fake.listDenied) return googleError("PERMISSION_DENIED", `Permission 'secretmanager.secrets.list' denied for resource '${numbered(parent)}' (or it may not exist).`);
      // Listing is a project-level permission: a secret denied to the caller is still listed (its name, not its value).
      const all = [...fake.secrets.values()].filter((s) => s.parent === parent);
      return listReply(req, all.map((s): FilterTarget => ({ id: s.id, labels: s.labels, json: secretJson(s) })), fake.maxPageSize, "secrets");
    }
    if (req.method !== "POST") return googleError("INVALID_ARGUMENT", "Unsupported method.");
    const id = req.query.get("secretId") ?? "";
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(id)) return googleError("INVALID_ARGUMENT", "Secret ID must match [a-zA-Z0-9_-]{1,255}.");
    if (fake.denied.has(id)) return googleError("PERMISSION_DENIED", `Permission 'secretmanager.secrets.create' denied on '${numbered(parent)}'.`);
    if (fake.secret(parent, id)) return googleError("ALREADY_EXISTS", `Secret [${numbered(`${parent}/secrets/${id}`)}] already exists.`);
    return { status: 200, json: secretJson(createSecret(parent, id, (req.json ?? {}) as { labels?: Record<string, string> })) };
  }

  async function secretItem(req: FakeRequest, parent: string, id: string, s: FakeSecret | undefined, verb: string | undefined): Promise<FakeResponse> {
    if (!s) return notFound("Secret", parent, id);
    const body = (req.json ?? {}) as { etag?: string; payload?: { data?: string; dataCrc32c?: string }; versionAliases?: Record<string, string>; labels?: Record<string, string> };
    const stale = (given: string | null | undefined) => given !== undefined && given !== null && given !== "" && given !== s.etag;
    if (verb === "addVersion" && req.method === "POST") {
      if (!body.payload) return googleError("INVALID_ARGUMENT", "Field [payload] is required.");
      const data = Buffer.from(body.payload.data ?? "", "base64");
      if (data.length > 65536) return googleError("INVALID_ARGUMENT", "Secret Payload cannot be larger than 64KiB.");
      if (body.payload.dataCrc32c !== undefined && Number(body.payload.dataCrc32c) !== crc32c(data)) return googleError("INVALID_ARGUMENT", "Checksum mismatch: the payload was corrupted in transit.");
      const reply: FakeResponse = { status: 200, json: versionJson(s, addVersion(s, data), req) };
      const hold = fake.holdNextAddReplyMs;
      fake.holdNextAddReplyMs = 0;
      if (hold > 0) await new Promise((r) => setTimeout(r, hold).unref());
      return reply;
    }
    if (req.method === "GET" && verb === undefined) return { status: 200, json: secretJson(s) };
    if (req.method === "DELETE") {
      if (stale(req.query.get("etag"))) return googleError("FAILED_PRECONDITION", "The etag provided in the request does not match the current etag of the secret.");
      fake.secrets.delete(`${parent}/secrets/${id}`);
      return { status: 200, json: {} };
    }
    if (req.method === "PATCH") {
      if (stale(body.etag)) return googleError("FAILED_PRECONDITION", "The etag provided in the request does not match the current etag of the secret.");
      const mask = (req.query.get("updateMask") ?? "").split(",");
      if (mask.includes("labels")) s.labels = { ...body.labels };
      if (mask.includes("version_aliases") || mask.includes("versionAliases")) s.versionAliases = Object.fromEntries(Object.entries(body.versionAliases ?? {}).map(([k, v]) => [k, Number(v)]));
      s.etag = etag();
      const reply = { status: 200, json: secretJson(s) };
      const hold = fake.holdNextPatchReplyMs;
      fake.holdNextPatchReplyMs = 0;
      if (hold > 0) await new Promise((r) => setTimeout(r, hold).unref());
      return reply;
    }
    return googleError("INVALID_ARGUMENT", "Unsupported method.");
  }

  function versionItem(req: FakeRequest, s: FakeSecret, v: FakeVersion, verb: string | undefined): FakeResponse {
    const name = numbered(`${s.parent}/secrets/${s.id}/versions/${v.number}`);
    if (verb === "access") {
      if (v.state !== "ENABLED") return googleError("FAILED_PRECONDITION", `Secret Version [${name}] is in ${v.state} state.`);
      fake.accessCount++;
      const crc = crc32c(v.data) ^ (fake.corrupted.has(s.id) ? 1 : 0);
      return { status: 200, json: { name, payload: { data: v.data.toString("base64"), dataCrc32c: String(crc >>> 0) } } };
    }
    if (verb === undefined && req.method === "GET") return { status: 200, json: versionJson(s, v, req) };
    const etagGiven = (req.json as { etag?: string } | undefined)?.etag;
    if (etagGiven && etagGiven !== v.etag) return googleError("FAILED_PRECONDITION", "The etag provided in the request does not match the current etag of the secret version.");
    if (v.state === "DESTROYED") return googleError("FAILED_PRECONDITION", `Secret Version [${name}] is in DESTROYED state.`);
    if (verb === "disable") v.state = "DISABLED";
    else if (verb === "enable") v.state = "ENABLED";
    else if (verb === "destroy") [v.state, v.data] = ["DESTROYED", Buffer.alloc(0)];
    else return googleError("INVALID_ARGUMENT", "Unsupported method.");
    v.etag = etag();
    return { status: 200, json: versionJson(s, v, req) };
  }

  function notFound(what: string, parent: string, id: string): FakeResponse {
    return googleError("NOT_FOUND", `${what} [${numbered(`${parent}/secrets/${id}`)}] not found or has no versions.`);
  }
  return fake;
}

/** The version `ref` names: `latest` (the newest, whatever its state), a number, or an alias. */
export function resolveVersion(s: FakeSecret, ref: string): FakeVersion | undefined {
  if (ref === "latest") return s.versions.at(-1);
  const n = /^[1-9][0-9]*$/.test(ref) ? Number(ref) : s.versionAliases[ref];
  return n === undefined ? undefined : s.versions[n - 1];
}

export { matchesFilter };
