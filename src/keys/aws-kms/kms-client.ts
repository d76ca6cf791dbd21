/**
 * The `aws-kms` key provider's narrow client: Encrypt and Decrypt of one small blob over the
 * official `@aws-sdk/client-kms`, imported lazily (MISSING_DEPENDENCY with the install command
 * when absent), with the SDK's default credential chain, and the AWS errors mapped to hush's
 * codes in one place. Retries are the remote toolkit's (`withRetries` + `retryAws`, as the `aws`
 * source's); the SDK's own are off, so nothing is retried twice over.
 */
import { HushError } from "../../errors.js";
import { withAttemptLog } from "../../sources/remote/errors.js";
import { attemptsOf, withRetries } from "../../sources/remote/retry.js";
import { retryAws, withoutNodeVersionNotice } from "../../sources/aws/client.js";

/** The two KMS calls the provider makes. */
export interface KmsClient {
  /** Encrypts `plaintext` under `keyId`, bound to `context`; returns the ciphertext and the key's ARN. */
  encrypt(keyId: string, plaintext: Buffer, context: Record<string, string>): Promise<{ ciphertext: Buffer; keyArn: string | undefined }>;
  /** Decrypts `ciphertext`, which must have been made by `keyId` with the same `context`. */
  decrypt(keyId: string, ciphertext: Buffer, context: Record<string, string>): Promise<Buffer>;
}

/** How to make the SDK client. */
export interface KmsClientOptions {
  region?: string;
  profile?: string;
  endpoint?: string;
  timeoutMs: number;
  attempts: number;
  /** Imports the SDK (tests give one that fails). @default `import("@aws-sdk/client-kms")` */
  importSdk?: () => Promise<unknown>;
}

export const KMS_SDK_PACKAGE = "@aws-sdk/client-kms";

/** A client whose SDK is imported on its first call. */
export function createKmsClient(options: KmsClientOptions): KmsClient {
  let made: Promise<Sdk> | undefined;
  const sdk = () => (made ??= makeSdk(options));
  const send = async (command: string, input: Record<string, unknown>, what: string, keyId: string): Promise<Record<string, unknown>> => {
    const { client, commands } = await sdk();
    try {
      return await withRetries<Record<string, unknown>>(async () => (await client.send(new commands[command]!(input))) as Record<string, unknown>, { operation: `kms:${command.replace(/Command$/, "")}`, retryOn: retryAws, attempts: options.attempts });
    } catch (e) {
      throw withAttemptLog(kmsError(e, what, keyId), attemptsOf(e));
    }
  };
  return {
    async encrypt(keyId, plaintext, context) {
      const out = await send("EncryptCommand", { KeyId: keyId, Plaintext: plaintext, EncryptionContext: context }, "wrap the key with", keyId);
      if (!(out.CiphertextBlob instanceof Uint8Array)) throw new HushError("BAD_REPLY", `AWS KMS returned no ciphertext for ${keyId}.`);
      return { ciphertext: Buffer.from(out.CiphertextBlob), keyArn: typeof out.KeyId === "string" ? out.KeyId : undefined };
    },
    async decrypt(keyId, ciphertext, context) {
      const out = await send("DecryptCommand", { KeyId: keyId, CiphertextBlob: ciphertext, EncryptionContext: context }, "unwrap the key with", keyId);
      if (!(out.Plaintext instanceof Uint8Array)) throw new HushError("BAD_REPLY", `AWS KMS returned no plaintext for ${keyId}.`);
      return Buffer.from(out.Plaintext);
    },
  };
}

// --- internal ---

interface Sdk {
  client: { send(command: unknown): Promise<unknown> };
  commands: Record<string, new (input: unknown) => unknown>;
}

async function makeSdk(options: KmsClientOptions): Promise<Sdk> {
  let sdk: Record<string, unknown>;
  try {
    sdk = (await (options.importSdk ?? (() => import(KMS_SDK_PACKAGE)))()) as Record<string, unknown>;
  } catch (e) {
    throw new HushError("MISSING_DEPENDENCY", `The aws-kms key provider needs the AWS SDK for KMS: npm install ${KMS_SDK_PACKAGE}`, { cause: e });
  }
  const Client = sdk.KMSClient as new (config: Record<string, unknown>) => Sdk["client"];
  const config: Record<string, unknown> = {
    maxAttempts: 1, // retries are withRetries', never the SDK's as well
    requestHandler: { requestTimeout: options.timeoutMs, connectionTimeout: options.timeoutMs, throwOnRequestTimeout: true },
  };
  if (options.region !== undefined) config.region = options.region;
  if (options.profile !== undefined) config.profile = options.profile;
  if (options.endpoint !== undefined) config.endpoint = options.endpoint;
  return { client: withoutNodeVersionNotice(() => new Client(config)), commands: sdk as Sdk["commands"] };
}

const DENIED = new Set(["AccessDeniedException", "UnrecognizedClientException", "InvalidSignatureException", "ExpiredTokenException", "MissingAuthenticationTokenException", "CredentialsProviderError"]);
const WRONG = new Set(["InvalidCiphertextException", "IncorrectKeyException"]);
const KEY_STATE = new Set(["DisabledException", "KMSInvalidStateException", "KeyUnavailableException", "NotFoundException", "InvalidKeyUsageException"]);

/** KMS's errors -> hush's codes. The AWS message is never passed on (only the exception's name). */
function kmsError(e: unknown, what: string, keyId: string): HushError {
  if (e instanceof HushError) return e;
  const name = typeof (e as { name?: unknown })?.name === "string" ? (e as { name: string }).name : "";
  const status = (e as { $metadata?: { httpStatusCode?: unknown } })?.$metadata?.httpStatusCode;
  const at = `AWS KMS refused to ${what} ${keyId}`;
  if (DENIED.has(name)) return new HushError("ACCESS_DENIED", `${at} (${name}).`, { cause: e, hint: "Allow kms:Decrypt (and kms:Encrypt to save) on this key for the role hush runs as; check the credentials (AWS_PROFILE, the instance or task role)." });
  if (WRONG.has(name)) return new HushError("WRONG_KEY", `The wrapped key does not open with KMS key ${keyId} (${name}): it was wrapped by another key or for another environment, or it is damaged.`, { cause: e, hint: "Point `keyId` at the key that wrapped it, or restore the wrapped-key file from backup." });
  if (KEY_STATE.has(name)) return new HushError("KMS_DECRYPT_FAILED", `${at} (${name}).`, { cause: e, hint: "Check that the KMS key exists in this account and region and is enabled (`aws kms describe-key`)." });
  if (/region is missing/i.test(String((e as { message?: unknown })?.message))) return new HushError("CONFIG_INVALID", "No AWS region is set for the aws-kms key provider.", { cause: e, hint: "Set `region:` in keys.<env> in hush.yaml, or AWS_REGION." });
  if (name === "SyntaxError" && !(typeof status === "number" && status >= 500)) return new HushError("BAD_REPLY", `AWS KMS's reply to ${what} ${keyId} is malformed.`, { cause: e });
  const how = name === "TimeoutError" ? "timed out" : typeof status === "number" ? `answered HTTP ${status}` : "could not be reached";
  return new HushError("SOURCE_UNAVAILABLE", `AWS KMS ${how} (to ${what} ${keyId}); the store stays closed.`, { cause: e, hint: "Check the network path to KMS (VPC endpoint, proxy, `endpoint:`), then retry." });
}
