/**
 * The AWS JSON 1.1 protocol, as both AWS fakes (Secrets Manager, KMS) speak it on top of
 * `http-fake.ts`: `POST /`, `Content-Type: application/x-amz-json-1.1`, the operation in
 * `X-Amz-Target: <service prefix>.<Operation>`, a JSON body; errors as HTTP 4xx/5xx with
 * `{"__type": "<Code>", "message": "..."}` (the SDK reads the code from `__type`). A request
 * without a SigV4 `Authorization` header is refused as AWS does (MissingAuthenticationToken),
 * so a client that forgot to sign fails here too. The signature itself is not verified: the fake
 * holds no secret key to verify it with, and the real SDK signs every request it sends.
 */
import { startFakeServer, type FakeRequest, type FakeResponse, type FakeServer } from "./http-fake.js";

/** An AWS service error: its `__type`, HTTP status and message. */
export class AwsFakeError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** Operation name -> handler of its JSON input; the returned object is the JSON output. */
export type AwsOperations = Record<string, (input: Record<string, unknown>, req: FakeRequest) => unknown>;

/** Starts a fake that answers `<targetPrefix>.<Operation>` calls with `operations`. */
export async function startAwsJsonFake(targetPrefix: string, operations: AwsOperations): Promise<AwsJsonFakeServer> {
  const delayReplies: number[] = [];
  const state = { tokenExpired: false };
  const server = await startFakeServer(async (req) => {
    const reply = state.tokenExpired && req.headers.authorization
      ? errorReply(new AwsFakeError("ExpiredTokenException", "The security token included in the request is expired."))
      : await answer(req, targetPrefix, operations);
    const delay = delayReplies.shift();
    if (delay !== undefined) await new Promise((r) => setTimeout(r, delay).unref());
    return reply;
  });
  const calls = (op?: string) => server.requests.filter((r) => op === undefined || r.headers["x-amz-target"] === `${targetPrefix}.${op}`).length;
  const fake = Object.assign(server, { calls, delayReplies, tokenExpired: false });
  // An accessor, not a copy (Object.assign would copy a getter's value once).
  Object.defineProperty(fake, "tokenExpired", { get: () => state.tokenExpired, set: (v: boolean) => void (state.tokenExpired = v), enumerable: true });
  return fake;
}

/** An AWS fake's server: the base fake, a count of calls by operation, and replies held back. */
export interface AwsJsonFakeServer extends FakeServer {
  /** Calls seen of `op` (all calls without it). */
  calls(op?: string): number;
  /**
   * Delays (ms) for the next replies, one each: the request is carried out at once and its reply
   * held back, as when AWS stored a write but the reply was slow or lost (the client's retry).
   */
  delayReplies: number[];
  /** When true, every signed request is refused with ExpiredTokenException (the caller's session ran out). */
  tokenExpired: boolean;
}

/** An AWS timestamp on the wire: epoch seconds, fractional. */
export function awsTime(d: Date): number {
  return d.getTime() / 1000;
}

// --- internal ---

async function answer(req: FakeRequest, targetPrefix: string, operations: AwsOperations): Promise<FakeResponse> {
  try {
    if (req.method !== "POST" || req.path !== "/") throw new AwsFakeError("UnknownOperationException", "Only POST / is served.", 404);
    const auth = String(req.headers.authorization ?? "");
    if (!/^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[^/]+\/[^/]+\/aws4_request, ?SignedHeaders=[^,]+, ?Signature=[0-9a-f]{64}$/.test(auth)) {
      throw new AwsFakeError("MissingAuthenticationTokenException", "Missing or malformed SigV4 Authorization header.", 400);
    }
    if (!String(req.headers["content-type"] ?? "").startsWith("application/x-amz-json-1.1")) throw new AwsFakeError("SerializationException", "Expected application/x-amz-json-1.1.");
    const target = String(req.headers["x-amz-target"] ?? "");
    const op = target.startsWith(`${targetPrefix}.`) ? operations[target.slice(targetPrefix.length + 1)] : undefined;
    if (!op) throw new AwsFakeError("UnknownOperationException", "Unknown operation.");
    if (typeof req.json !== "object" || req.json === null) throw new AwsFakeError("SerializationException", "Body is not a JSON object.");
    const out = await op(req.json as Record<string, unknown>, req);
    return { status: 200, headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": crypto.randomUUID() }, body: JSON.stringify(out ?? {}) };
  } catch (e) {
    if (!(e instanceof AwsFakeError)) throw e;
    return errorReply(e);
  }
}

function errorReply(e: AwsFakeError): FakeResponse {
  return { status: e.status, headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": crypto.randomUUID() }, body: JSON.stringify({ __type: e.type, message: e.message }) };
}
