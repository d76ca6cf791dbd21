/**
 * Secrets Manager's errors -> hush's codes, in one place (the external-secrets `parseError`
 * habit). "Not here" (ResourceNotFoundException) is not an error: callers test
 * {@link isAwsNotFound} first. Everything else is a HushError: denied, deleted, a KMS key that
 * cannot decrypt, unreachable. The AWS message is never passed on (the cause keeps only the
 * exception's name); it is only read here to tell "scheduled for deletion" apart.
 */
import { HushError } from "../../errors.js";
import { withAttemptLog } from "../remote/errors.js";
import { attemptsOf } from "../remote/retry.js";

const SOURCE = "aws";

/** True for ResourceNotFoundException: the secret (or the asked version or stage) is not there. */
export function isAwsNotFound(e: unknown): boolean {
  return nameOf(e) === "ResourceNotFoundException";
}

/** True for the InvalidRequestException AWS gives for a secret scheduled for deletion. */
export function isScheduledForDeletion(e: unknown): boolean {
  return nameOf(e) === "InvalidRequestException" && /deletion|deleted/i.test(messageOf(e));
}

/**
 * The HushError for a failed call. `what` says what was being done ("read", "write", "list"),
 * `secretId` names the AWS secret (a name or ARN: never a value).
 */
export function awsError(e: unknown, what: string, secretId?: string, secret?: string): HushError {
  if (e instanceof HushError) return e;
  return withAttemptLog(mapAwsError(e, what, secretId, secret), attemptsOf(e));
}

// --- internal ---

function mapAwsError(e: unknown, what: string, secretId: string | undefined, secret: string | undefined): HushError {
  const name = nameOf(e);
  const status = (e as { $metadata?: { httpStatusCode?: unknown } } | undefined)?.$metadata?.httpStatusCode;
  const of = secretId === undefined ? "" : ` ${JSON.stringify(secretId)}`;
  const base = { cause: e, source: SOURCE, secret };
  if (DENIED.has(name)) return new HushError("ACCESS_DENIED", `AWS Secrets Manager refused to ${what}${of} (${name}).`, base);
  if (name === "CredentialsProviderError") {
    return new HushError("ACCESS_DENIED", `No AWS credentials were found to ${what}${of}.`, { ...base, hint: "Give hush credentials through the default chain: AWS_PROFILE, `aws sso login`, an IAM role (ECS, Lambda, IRSA) or AWS_ACCESS_KEY_ID." });
  }
  if (name === "DecryptionFailure") return new HushError("KMS_DECRYPT_FAILED", `The KMS key of the AWS secret${of} could not decrypt it.`, base);
  if (isScheduledForDeletion(e)) {
    return new HushError("DELETED", `The AWS secret${of} is scheduled for deletion.`, { ...base, hint: `Restore it with \`aws secretsmanager restore-secret --secret-id ${secretId ?? "<name>"}\`, or write it again after the recovery window.` });
  }
  if (INVALID.has(name)) return new HushError("INVALID_ARGUMENT", `AWS Secrets Manager did not accept the request to ${what}${of} (${name}).`, base);
  if (/region is missing/i.test(messageOf(e))) {
    return new HushError("CONFIG_INVALID", `No AWS region is set for the aws source.`, { ...base, hint: "Set `region:` in the source's options in hush.yaml, or AWS_REGION in the environment." });
  }
  const unavailable = (how: string, hint?: string) => new HushError("SOURCE_UNAVAILABLE", `AWS Secrets Manager ${how} (to ${what}${of}).`, hint ? { ...base, hint } : base);
  if (name === "SyntaxError" || /deserialization error/i.test(messageOf(e))) {
    if (typeof status === "number" && status >= 500) return unavailable(`answered HTTP ${status}`);
    return new HushError("BAD_REPLY", `AWS Secrets Manager's reply to ${what}${of} is malformed (not the JSON its API documents).`, base);
  }
  if (name === "TimeoutError" || (e as { code?: unknown }).code === "ETIMEDOUT") return unavailable("timed out", "AWS is slow or unreachable from here; check the network path (VPC endpoint, proxy), or raise the source's `timeout`.");
  if (status === 429 || THROTTLED.has(name)) return unavailable("was rate-limited and the retries ran out", "AWS is throttling hush; retry later, or raise `cacheTtl` so fewer reads reach it.");
  if (typeof status === "number" && status >= 500) return unavailable(`answered HTTP ${status}${name ? ` (${name})` : ""}`);
  return unavailable(`could not be reached${name ? ` (${name})` : ""}`);
}

const THROTTLED = new Set(["ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded"]);
const DENIED = new Set(["AccessDeniedException", "AccessDenied", "UnrecognizedClientException", "InvalidSignatureException", "ExpiredTokenException", "InvalidClientTokenId", "MissingAuthenticationTokenException", "IncompleteSignature"]);
const INVALID = new Set(["InvalidParameterException", "ValidationException", "LimitExceededException", "MalformedPolicyDocumentException", "ResourceExistsException", "PreconditionNotMetException", "InvalidRequestException"]);

function nameOf(e: unknown): string {
  const n = (e as { name?: unknown } | undefined)?.name;
  return typeof n === "string" && /^[A-Za-z][A-Za-z0-9.]{0,80}$/.test(n) ? n : "";
}

function messageOf(e: unknown): string {
  const m = (e as { message?: unknown } | undefined)?.message;
  return typeof m === "string" ? m : "";
}
