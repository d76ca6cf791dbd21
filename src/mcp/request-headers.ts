/**
 * The headers an agent may send through `http_request`. The key is the gateway's to set: a
 * header that carries credentials (Authorization, Cookie, an API-key or token header) is
 * refused, so the agent can neither override the route's key nor smuggle one of its own; the
 * headers that frame the message (Host, Content-Length, Connection, ...) are the gateway's to
 * compute and are dropped, with a note in the result.
 */

/** Headers of the request after the check. */
export interface CheckedHeaders {
  /** What goes to `gateway.call()`, names lower-cased. */
  headers: Record<string, string>;
  /** Names dropped because the gateway sets them (framing, hop-by-hop). */
  dropped: string[];
}

/** A header the agent may not send, and why. */
export interface RefusedHeader {
  refused: string;
  reason: string;
}

/** Most headers one request may carry. */
export const MAX_REQUEST_HEADERS = 64;

/**
 * Checks the agent's headers: refuses credential headers (and, for a route whose key goes in a
 * header of its own, that header: `keyHeader`), drops framing headers, keeps the rest.
 */
export function checkRequestHeaders(input: Record<string, string> | undefined, keyHeader?: string): CheckedHeaders | RefusedHeader {
  const headers: Record<string, string> = {};
  const dropped: string[] = [];
  for (const [rawName, value] of Object.entries(input ?? {})) {
    const name = rawName.toLowerCase();
    if (isCredentialHeader(name) || name === keyHeader?.toLowerCase()) {
      return { refused: rawName, reason: `the header ${rawName} may carry credentials; hush adds the route's key itself, so remove it` };
    }
    if (FRAMING_HEADERS.has(name) || name.startsWith("proxy-")) {
      dropped.push(rawName);
      continue;
    }
    if (name in headers) return { refused: rawName, reason: `the header ${rawName} is given twice (names are case-insensitive)` };
    headers[name] = value;
  }
  return { headers, dropped };
}

/** True for a header name that carries credentials by name or by convention. */
export function isCredentialHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return CREDENTIAL_HEADERS.has(lower) || CREDENTIAL_WORDS.test(lower);
}

// --- internal ---

const CREDENTIAL_HEADERS = new Set(["authorization", "proxy-authorization", "cookie", "cookie2"]);

// x-api-key (Anthropic), api-key (Azure OpenAI), x-goog-api-key (Google), x-auth-token,
// x-amz-security-token, private-token (GitLab), x-vault-token: any header named after an API
// key, a token, a secret, a password, a session or auth. A false positive costs the agent one
// header; a miss would let it send a credential the gateway did not choose. A bare "key" is
// not one (Stripe's Idempotency-Key is not a credential).
const CREDENTIAL_WORDS = /(^|[-_])(api[-_]?key|apikey|access[-_]?key|token|secret|password|passwd|session|auth|credentials?)([-_]|$)/;

/** Headers the gateway computes: RFC 9110 framing and hop-by-hop ones, and Accept-Encoding (the gateway asks for identity, to check the reply for the key). */
const FRAMING_HEADERS = new Set(["host", "content-length", "transfer-encoding", "connection", "keep-alive", "te", "trailer", "upgrade", "expect", "http2-settings", "accept-encoding"]);
