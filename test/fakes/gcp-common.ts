/**
 * What the Google fakes (gcp-secret-manager.ts, gcp-kms.ts) share: Google's JSON error shape
 * (`{"error": {"code", "message", "status"}}`, https://cloud.google.com/apis/design/errors) and
 * the credential check.
 *
 * Credentials are real: a test gets a service-account JSON (an RSA key made here with node:crypto)
 * and hands it to the SDK as Application Default Credentials (`GOOGLE_APPLICATION_CREDENTIALS` or
 * the client's `keyFilename`), so google-auth-library signs every request itself. With a custom
 * endpoint the clients set scopes and `useJWTAccessWithScope`, so the library sends a self-signed
 * RS256 JWT as the bearer token (no token exchange); the fake verifies its signature with the
 * public key. The `token_uri` points at the fake's `/token` too (the JWT-bearer grant of
 * RFC 7523), for clients that exchange first: both paths end in a verified `Authorization` header.
 */
import { generateKeyPairSync, randomBytes, verify, type KeyObject } from "node:crypto";
import type { FakeRequest, FakeResponse } from "./http-fake.js";

/** Google's canonical codes by their HTTP status (google.rpc.Code). */
export const GOOGLE_STATUS = {
  INVALID_ARGUMENT: 400,
  FAILED_PRECONDITION: 400,
  OUT_OF_RANGE: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  ABORTED: 409,
  ALREADY_EXISTS: 409,
  RESOURCE_EXHAUSTED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
} as const;

/** A Google error status name. */
export type GoogleStatus = keyof typeof GOOGLE_STATUS;

/** A reply in Google's error shape. */
export function googleError(status: GoogleStatus, message: string): FakeResponse {
  return { status: GOOGLE_STATUS[status], json: { error: { code: GOOGLE_STATUS[status], message, status } } };
}

/** The body of a fault in Google's error shape, for `fake.faults.push({ status, body })`. */
export function googleErrorBody(status: GoogleStatus, message = "fault injected by the test"): { status: number; body: string } {
  return { status: GOOGLE_STATUS[status], body: JSON.stringify({ error: { code: GOOGLE_STATUS[status], message, status } }) };
}

/** A service account the fakes trust. */
export interface FakeServiceAccount {
  clientEmail: string;
  projectId: string;
  /** The service-account JSON (as `gcloud iam service-accounts keys create` writes it). */
  json: Record<string, string>;
}

/** Makes a service account with a fresh RSA key whose `token_uri` is `<url>/token`. */
export function makeServiceAccount(url: string, projectId: string): FakeServiceAccount & { publicKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const clientEmail = `hush-test@${projectId}.iam.gserviceaccount.com`;
  const json = {
    type: "service_account",
    project_id: projectId,
    private_key_id: randomBytes(20).toString("hex"),
    private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    client_email: clientEmail,
    client_id: "1234567890",
    token_uri: `${url}/token`,
    universe_domain: "googleapis.com",
  };
  return { clientEmail, projectId, json, publicKey };
}

/**
 * Checks a request's credentials: a bearer token that `/token` issued, or a self-signed JWT
 * whose RS256 signature the service account's public key verifies. Returns the caller's email,
 * or undefined (the fake answers 401 UNAUTHENTICATED).
 */
export function authenticate(req: FakeRequest, account: FakeServiceAccount & { publicKey: KeyObject }, issued: Map<string, { email: string; at: number }>, notBefore = 0): string | undefined {
  const header = req.headers.authorization;
  if (typeof header !== "string" || !header.startsWith("Bearer ")) return undefined;
  const token = header.slice(7);
  const known = issued.get(token);
  if (known) return known.at >= notBefore ? known.email : undefined;
  const claims = verifiedJwt(token, account.publicKey);
  if (!claims || claims.iss !== account.clientEmail) return undefined;
  return (claims.iat ?? 0) * 1000 >= notBefore ? account.clientEmail : undefined; // an "expired" token: signed before the cut-off
}

/** `/token`: the JWT-bearer grant (RFC 7523), answered with an access token the fake remembers. */
export function tokenEndpoint(req: FakeRequest, account: FakeServiceAccount & { publicKey: KeyObject }, issued: Map<string, { email: string; at: number }>): FakeResponse {
  const form = new URLSearchParams(req.body.toString("utf8"));
  const claims = verifiedJwt(form.get("assertion") ?? "", account.publicKey);
  if (form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:jwt-bearer" || !claims || claims.iss !== account.clientEmail) {
    return { status: 400, json: { error: "invalid_grant", error_description: "Invalid JWT Signature." } };
  }
  const token = `ya29.fake-${randomBytes(16).toString("hex")}`;
  issued.set(token, { email: account.clientEmail, at: Date.now() });
  return { status: 200, json: { access_token: token, token_type: "Bearer", expires_in: 3599 } };
}

/** `{ code, header }` helpers for a path `...:verb`. */
export function splitVerb(path: string): { resource: string; verb: string | undefined } {
  const at = path.lastIndexOf(":");
  if (at < 0 || at < path.lastIndexOf("/")) return { resource: path, verb: undefined };
  return { resource: path.slice(0, at), verb: path.slice(at + 1) };
}

// --- internal ---

function verifiedJwt(token: string, publicKey: KeyObject): { iss?: string; iat?: number } | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  const [head, body, signature] = parts as [string, string, string];
  try {
    const header = JSON.parse(Buffer.from(head, "base64url").toString("utf8")) as { alg?: string };
    if (header.alg !== "RS256") return undefined;
    if (!verify("RSA-SHA256", Buffer.from(`${head}.${body}`), publicKey, Buffer.from(signature, "base64url"))) return undefined;
    const claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as { iss?: string; iat?: number; exp?: number };
    if (typeof claims.exp === "number" && claims.exp * 1000 < Date.now()) return undefined;
    return claims;
  } catch {
    return undefined;
  }
}
