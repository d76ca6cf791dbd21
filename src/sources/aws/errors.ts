/**
 * Secrets Manager's errors -> hush's codes, in one place (the external-secrets `parseError`
 * habit). "Not here" (ResourceNotFoundException) is not an error: callers test
 * {@link isAwsNotFound} first. Everything else is a HushError: denied, deleted, a KMS key that
 * cannot decrypt, unreachable. The AWS message is never passed on (the cause keeps only the
 * exception's name); it is only read here to tell "scheduled for deletion" apart.
 */
import { HushError } from "../../errors.js";

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
  const name = nameOf(e);
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
  return new HushError("SOURCE_UNAVAILABLE", `AWS Secrets Manager could not be reached to ${what}${of}${name ? ` (${name})` : ""}.`, base);
}

// --- internal ---

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
