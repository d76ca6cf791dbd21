/**
 * Writes of the `aws` source. A write is PutSecretValue with a ClientRequestToken made once per
 * write: the SDK's retries (a timeout after AWS already stored it, a dropped reply) resend the
 * same token, and AWS answers with the version it made the first time: one write, one version.
 * A name AWS does not have yet is made with CreateSecret (same token); a delete keeps AWS's
 * recovery window (restorable) unless the source is set to destroy.
 */
import { randomUUID } from "node:crypto";
import { HushError } from "../../errors.js";
import type { AwsSecretsClient } from "./client.js";
import { awsError, isAwsNotFound, isScheduledForDeletion } from "./errors.js";
import type { AwsTarget } from "./read.js";

/** Secrets Manager's limit on a value: 65,536 bytes. */
export const AWS_MAX_VALUE_BYTES = 65_536;

/** Writes `value` as the new AWSCURRENT version of the target; returns its VersionId. */
export async function writeValue(client: AwsSecretsClient, target: AwsTarget, name: string, value: string): Promise<string | undefined> {
  assertWritable(target, name, value);
  const token = randomUUID();
  const input = { SecretId: target.secretId, SecretString: value, ClientRequestToken: token };
  try {
    return (await client.putSecretValue(input)).VersionId ?? token;
  } catch (e) {
    if (!isAwsNotFound(e)) throw awsError(e, "write", target.secretId, name);
  }
  try {
    return (await client.createSecret({ Name: target.secretId, SecretString: value, ClientRequestToken: token })).VersionId ?? token;
  } catch (e) {
    // Made by someone else between the two calls: put the value as a new version of theirs.
    if ((e as { name?: unknown }).name !== "ResourceExistsException") throw awsError(e, "create", target.secretId, name);
  }
  try {
    return (await client.putSecretValue(input)).VersionId ?? token;
  } catch (e) {
    throw awsError(e, "write", target.secretId, name);
  }
}

/**
 * Deletes the target's secret: with a recovery window of `recoveryWindowDays` (7-30), or at once
 * when it is 0. False when AWS does not have it or it is already scheduled for deletion.
 */
export async function deleteSecret(client: AwsSecretsClient, target: AwsTarget, name: string, recoveryWindowDays: number): Promise<boolean> {
  if (target.property !== undefined || target.version !== undefined) throw notWritable(target, name);
  const input = recoveryWindowDays === 0 ? { SecretId: target.secretId, ForceDeleteWithoutRecovery: true } : { SecretId: target.secretId, RecoveryWindowInDays: recoveryWindowDays };
  try {
    await client.deleteSecret(input);
    return true;
  } catch (e) {
    if (isAwsNotFound(e) || isScheduledForDeletion(e)) return false;
    throw awsError(e, "delete", target.secretId, name);
  }
}

/** Throws unless `value` can be written as the whole secret of `target` (no property, no pinned version, at most 64 KiB). */
export function assertWritable(target: AwsTarget, name: string, value: string): void {
  if (typeof value !== "string") throw new HushError("INVALID_VALUE", `The value of ${name} must be a string.`, { source: "aws", secret: name });
  if (target.property !== undefined || target.version !== undefined) throw notWritable(target, name);
  const bytes = Buffer.byteLength(value, "utf8");
  if (bytes > AWS_MAX_VALUE_BYTES) {
    throw new HushError("LIMIT_EXCEEDED", `The value of ${name} is ${bytes} bytes; AWS Secrets Manager holds at most ${AWS_MAX_VALUE_BYTES}.`, { source: "aws", secret: name, hint: "Store a smaller value, or keep large files elsewhere and store their location." });
  }
}

// --- internal ---

function notWritable(target: AwsTarget, name: string): HushError {
  const what = target.property !== undefined ? `one property (${JSON.stringify(target.property)}) of the JSON secret` : "a pinned version of the secret";
  return new HushError("READ_ONLY", `${name} is ${what} ${JSON.stringify(target.secretId)}; hush writes whole secrets only.`, {
    source: "aws",
    secret: name,
    hint: "Write the whole secret with `aws secretsmanager put-secret-value`, or remove `property:`/`version:` from its `remote:` entry.",
  });
}
