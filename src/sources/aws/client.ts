/**
 * The `aws` source's narrow client: the few Secrets Manager calls it makes, over the official
 * `@aws-sdk/client-secrets-manager`, imported lazily (a project without an `aws` source never
 * loads it; without the package, MISSING_DEPENDENCY with the install command).
 *
 * Credentials come from the SDK's default chain (environment, shared config and `profile`, SSO,
 * web identity for IRSA / EKS Pod Identity, ECS container credentials, EC2 IMDS).
 *
 * Retries are the remote toolkit's (`withRetries`: full jitter, Retry-After honoured up to a cap
 * and refused beyond it, an attempt log for `--debug`), the same as every remote source's; the
 * SDK's own retry strategy is off (`maxAttempts: 1`), so a call is never retried twice over.
 * Throttling (ThrottlingException, 429), 5xx and connection failures and timeouts are retried.
 * Writes are retried too: each carries a ClientRequestToken set once by the caller, so AWS makes
 * one version however many times it arrives.
 */
import { HushError } from "../../errors.js";
import { parseRetryAfter, withRetries, type RetryDecision } from "../remote/retry.js";

/** One secret value as GetSecretValue / BatchGetSecretValue return it. */
export interface AwsSecretValue {
  ARN?: string;
  Name?: string;
  VersionId?: string;
  SecretString?: string;
  SecretBinary?: Uint8Array;
  VersionStages?: string[];
  CreatedDate?: Date;
}

/** One version as ListSecretVersionIds returns it. */
export interface AwsVersionEntry {
  VersionId?: string;
  VersionStages?: string[];
  CreatedDate?: Date;
}

type Filters = { Key: "name"; Values: string[] }[];

/** The calls the `aws` source makes; the SDK client behind it is made on first use. */
export interface AwsSecretsClient {
  getSecretValue(input: { SecretId: string; VersionId?: string; VersionStage?: string }): Promise<AwsSecretValue>;
  batchGetSecretValue(input: { SecretIdList: string[] }): Promise<{ SecretValues?: AwsSecretValue[]; Errors?: { SecretId?: string; ErrorCode?: string; Message?: string }[] }>;
  putSecretValue(input: { SecretId: string; SecretString: string; ClientRequestToken: string; VersionStages?: string[] }): Promise<{ VersionId?: string }>;
  /** Moves (MoveToVersionId) or removes (RemoveFromVersionId alone) one staging label. */
  updateSecretVersionStage(input: { SecretId: string; VersionStage: string; MoveToVersionId?: string; RemoveFromVersionId?: string }): Promise<{ Name?: string }>;
  createSecret(input: { Name: string; SecretString: string; ClientRequestToken: string }): Promise<{ VersionId?: string }>;
  deleteSecret(input: { SecretId: string; RecoveryWindowInDays?: number; ForceDeleteWithoutRecovery?: boolean }): Promise<{ DeletionDate?: Date }>;
  listSecrets(input: { Filters?: Filters; NextToken?: string; MaxResults?: number }): Promise<{ SecretList?: { Name?: string }[]; NextToken?: string }>;
  listSecretVersionIds(input: { SecretId: string; IncludeDeprecated: boolean; NextToken?: string }): Promise<{ Versions?: AwsVersionEntry[]; NextToken?: string }>;
  describeSecret(input: { SecretId: string }): Promise<{ Name?: string; ARN?: string; DeletedDate?: Date }>;
  /** Who the calls run as, from the credential chain (no call to AWS; never the secret key). */
  identity(): Promise<{ accessKeyId?: string; accountId?: string; region?: string }>;
  /** Closes the SDK client's sockets. */
  destroy(): void;
}

/** How to make the SDK client. */
export interface AwsClientOptions {
  region?: string;
  profile?: string;
  endpoint?: string;
  /** Per-attempt timeout of a request, in milliseconds. */
  timeoutMs: number;
  /** Attempts per call, the first included (the SDK's retry strategy). */
  maxAttempts: number;
  /** Imports the SDK (tests give one that fails). @default `import("@aws-sdk/client-secrets-manager")` */
  importSdk?: () => Promise<unknown>;
}

export const AWS_SDK_PACKAGE = "@aws-sdk/client-secrets-manager";

/** A client whose SDK is imported on its first call. */
export function createLazyAwsClient(options: AwsClientOptions): AwsSecretsClient {
  let made: Promise<SdkHandle> | undefined;
  let handle: SdkHandle | undefined;
  const sdk = () => (made ??= makeSdkClient(options).then((h) => (handle = h)));
  const call =
    <I, O>(command: string) =>
    async (input: I): Promise<O> => {
      const h = await sdk();
      const operation = command.replace(/Command$/, "");
      return withRetries<O>(async () => (await h.client.send(new h.commands[command]!(input))) as O, { operation, retryOn: retryAws, attempts: options.maxAttempts });
    };
  return {
    getSecretValue: call("GetSecretValueCommand"),
    batchGetSecretValue: call("BatchGetSecretValueCommand"),
    putSecretValue: call("PutSecretValueCommand"),
    updateSecretVersionStage: call("UpdateSecretVersionStageCommand"),
    createSecret: call("CreateSecretCommand"),
    deleteSecret: call("DeleteSecretCommand"),
    listSecrets: call("ListSecretsCommand"),
    listSecretVersionIds: call("ListSecretVersionIdsCommand"),
    describeSecret: call("DescribeSecretCommand"),
    async identity() {
      const { client } = await sdk();
      const credentials = await client.config.credentials();
      return { accessKeyId: credentials.accessKeyId, accountId: credentials.accountId, region: await client.config.region() };
    },
    destroy: () => handle?.client.destroy(),
  };
}

/** Which failed calls are worth another attempt: throttling (with its Retry-After), 5xx, timeouts, dropped connections. */
export function retryAws(outcome: { value: unknown } | { error: unknown }): RetryDecision | undefined {
  if (!("error" in outcome)) return undefined;
  const e = outcome.error as { name?: unknown; code?: unknown; $metadata?: { httpStatusCode?: number }; $response?: { headers?: Record<string, string> } } | undefined;
  const name = typeof e?.name === "string" ? e.name : "";
  const status = e?.$metadata?.httpStatusCode;
  if (THROTTLING.has(name) || status === 429) {
    const retryAfterMs = parseRetryAfter(e?.$response?.headers?.["retry-after"]);
    return { reason: status === 429 ? "429" : name, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }
  if ((status !== undefined && status >= 500 && status !== 501) || name === "InternalServiceError") return { reason: status !== undefined ? String(status) : name };
  const code = typeof e?.code === "string" ? e.code : "";
  if (name === "TimeoutError" || code === "ETIMEDOUT") return { reason: "timeout" };
  if (RETRIED_CODES.has(code)) return { reason: code };
  return undefined;
}

/**
 * The SDK prints a "NodeVersionSupportWarning" on Node < 22 when a client is made. Under
 * `hush run` that line would land in every run's stderr, about the SDK's own support policy
 * rather than anything hush does; docs/aws.md says it. The switch is the SDK's own variable, set
 * only while the client is made and put back after, so the child of `hush run` never sees it.
 */
export function withoutNodeVersionNotice<T>(make: () => T): T {
  const NAME = "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED";
  const saved = process.env[NAME];
  process.env[NAME] = "true";
  try {
    return make();
  } finally {
    if (saved === undefined) delete process.env[NAME];
    else process.env[NAME] = saved;
  }
}

// --- internal ---

const THROTTLING = new Set(["ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded", "RequestThrottled", "RequestThrottledException"]);
const RETRIED_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH", "ECONNABORTED"]);

interface SdkHandle {
  client: {
    send(command: unknown): Promise<unknown>;
    destroy(): void;
    config: { credentials(): Promise<{ accessKeyId?: string; accountId?: string }>; region(): Promise<string> };
  };
  commands: Record<string, new (input: unknown) => unknown>;
}

async function makeSdkClient(options: AwsClientOptions): Promise<SdkHandle> {
  let sdk: Record<string, unknown>;
  try {
    sdk = (await (options.importSdk ?? (() => import(AWS_SDK_PACKAGE)))()) as Record<string, unknown>;
  } catch (e) {
    throw new HushError("MISSING_DEPENDENCY", `The aws source needs the AWS SDK for Secrets Manager: npm install ${AWS_SDK_PACKAGE}`, { cause: e, source: "aws" });
  }
  const Client = sdk.SecretsManagerClient as new (config: Record<string, unknown>) => SdkHandle["client"];
  const config: Record<string, unknown> = {
    maxAttempts: 1, // retries are withRetries' (above), never the SDK's as well
    // throwOnRequestTimeout: without it the SDK only logs a warning when requestTimeout passes.
    requestHandler: { requestTimeout: options.timeoutMs, connectionTimeout: options.timeoutMs, throwOnRequestTimeout: true },
  };
  if (options.region !== undefined) config.region = options.region;
  if (options.profile !== undefined) config.profile = options.profile;
  if (options.endpoint !== undefined) config.endpoint = options.endpoint;
  const client = withoutNodeVersionNotice(() => new Client(config));
  return { client, commands: sdk as SdkHandle["commands"] };
}

