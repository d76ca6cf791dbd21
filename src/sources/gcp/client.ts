/**
 * The Secret Manager client of the `gcp` source: `@google-cloud/secret-manager`, imported only when
 * the source first talks to Google (never by `hush run`/`get` on a local project), in REST mode
 * (`fallback: true`: HTTP/1.1 and JSON, no gRPC stack to load; the same mode the tests' fake
 * speaks). Credentials are Application Default Credentials: GOOGLE_APPLICATION_CREDENTIALS (read
 * from the source's environment), gcloud's user credentials, or the metadata server on Cloud Run,
 * GKE (workload identity) and Compute Engine.
 */
import { HushError } from "../../errors.js";

/** The calls the source makes: the SDK's own methods, as it types them (narrowed to what is used). */
export interface SecretManagerApi {
  accessSecretVersion(request: { name: string }, options?: object): Promise<[AccessReply, ...unknown[]]>;
  getSecret(request: { name: string }, options?: object): Promise<[SecretReply, ...unknown[]]>;
  getSecretVersion(request: { name: string }, options?: object): Promise<[VersionReply, ...unknown[]]>;
  createSecret(request: { parent: string; secretId: string; secret: object }, options?: object): Promise<[SecretReply, ...unknown[]]>;
  addSecretVersion(request: { parent: string; payload: { data: Uint8Array; dataCrc32c: number } }, options?: object): Promise<[VersionReply, ...unknown[]]>;
  updateSecret(request: { secret: { name: string; versionAliases?: Record<string, number>; etag?: string }; updateMask: { paths: string[] } }, options?: object): Promise<[SecretReply, ...unknown[]]>;
  deleteSecret(request: { name: string; etag?: string }, options?: object): Promise<unknown>;
  listSecrets(request: ListRequest, options?: object): Promise<[SecretReply[], ListRequest | null, ...unknown[]]>;
  listSecretVersions(request: ListRequest, options?: object): Promise<[VersionReply[], ListRequest | null, ...unknown[]]>;
  getProjectId(): Promise<string>;
  close(): Promise<void>;
}

/** `accessSecretVersion`'s reply. */
export interface AccessReply {
  name?: string | null;
  payload?: { data?: Uint8Array | string | null; dataCrc32c?: number | string | { toString(): string } | null } | null;
}
/** A Secret. */
export interface SecretReply {
  name?: string | null;
  etag?: string | null;
  labels?: Record<string, string> | null;
  versionAliases?: Record<string, number | string | { toString(): string }> | null;
}
/** A SecretVersion. */
export interface VersionReply {
  name?: string | null;
  state?: string | number | null;
  createTime?: { seconds?: number | string | { toString(): string } | null; nanos?: number | null } | null;
  etag?: string | null;
}
/** A list request (the SDK hands back the next page's request). */
export interface ListRequest {
  parent: string;
  filter?: string;
  pageSize?: number;
  pageToken?: string;
}

/** Where and how to connect. */
export interface ClientOptions {
  /** `https://host[:port]`, or `http://` to a loopback address (tests, emulators). */
  endpoint?: string;
  /** Regional secrets: the regional endpoint `secretmanager.<location>.rep.googleapis.com` unless `endpoint` is set. */
  location?: string;
  /** The source's process environment (GOOGLE_APPLICATION_CREDENTIALS). */
  env: NodeJS.ProcessEnv;
}

/** Loads the SDK and makes a client; MISSING_DEPENDENCY when the package is not installed. */
export async function createSecretManagerClient(options: ClientOptions): Promise<SecretManagerApi> {
  let sdk: typeof import("@google-cloud/secret-manager");
  try {
    sdk = await import("@google-cloud/secret-manager");
  } catch (e) {
    throw new HushError("MISSING_DEPENDENCY", "The gcp source needs the Google Secret Manager SDK: npm install @google-cloud/secret-manager", { cause: e });
  }
  const keyFilename = options.env.GOOGLE_APPLICATION_CREDENTIALS;
  const settings: Record<string, unknown> = { fallback: true, ...endpointSettings(options.endpoint, options.location), ...(keyFilename ? { keyFilename } : {}) };
  return new sdk.SecretManagerServiceClient(settings as never) as unknown as SecretManagerApi;
}

/**
 * `endpoint` as the client's `apiEndpoint`, `port` and `protocol`. Plain `http` only to a loopback
 * address: the bearer token travels with every request, and must not cross a network in clear.
 */
export function endpointSettings(endpoint: string | undefined, location: string | undefined): Record<string, unknown> {
  if (endpoint === undefined) return location ? { apiEndpoint: `secretmanager.${location}.rep.googleapis.com` } : {};
  const url = parseEndpoint(endpoint);
  if (!url) throw new HushError("CONFIG_INVALID", "The gcp source's endpoint is not a URL such as https://secretmanager.googleapis.com.");
  const http = url.protocol === "http:";
  if (http && !isLoopback(url.hostname)) {
    throw new HushError("CONFIG_INVALID", `The gcp source's endpoint uses plain http to ${url.hostname}: Google credentials would cross the network in clear.`, { hint: "Use https, or http only to 127.0.0.1, ::1 or localhost (an emulator or a test fake)." });
  }
  return { apiEndpoint: url.hostname.replace(/^\[|\]$/g, ""), port: url.port === "" ? (http ? 80 : 443) : Number(url.port), protocol: http ? "http" : "https" };
}

// --- internal ---

function parseEndpoint(text: string): URL | undefined {
  try {
    const url = new URL(text);
    if ((url.protocol !== "http:" && url.protocol !== "https:") || url.username !== "" || url.password !== "" || (url.pathname !== "/" && url.pathname !== "")) return undefined;
    return url;
  } catch {
    return undefined;
  }
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
