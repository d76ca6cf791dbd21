/**
 * `aws`: AWS Secrets Manager through the official SDK (`@aws-sdk/client-secrets-manager`, an
 * optional package, imported on the first call).
 *
 * ```yaml
 * # hush.yaml
 * sources:
 *   - type: aws
 *     options: { region: eu-west-1, path: "myapp/{env}", cacheTtl: 5m, offlineCache: { maxStaleness: 1h } }
 * secrets:
 *   database_password:
 *     remote: { key: prod/db, property: password }   # a field of a JSON secret
 * ```
 *
 * A hush name `openai_api_key` is the AWS secret `<path>/openai_api_key` (`{env}` in `path` is the
 * environment), unless `secrets.NAME.remote` says where it lives: `key` (a secret name or ARN),
 * `property` (a field of a JSON SecretString), `version` (a VersionId, or a stage: `current` /
 * `pending` / `previous` or `AWSCURRENT` / ...). `getMany` is BatchGetSecretValue, 20 secrets a
 * call (its limit). Writes are PutSecretValue with a ClientRequestToken (a retried write makes one
 * version), CreateSecret for a new name; a delete keeps the recovery window (`recoveryWindowDays`).
 * `hush rotate` stages on AWS's labels (AWSPENDING, then AWSCURRENT moved: ./aws/stage.ts).
 * Errors: ResourceNotFoundException is "not here"; denied is ACCESS_DENIED, a KMS key that cannot
 * decrypt is KMS_DECRYPT_FAILED, a secret scheduled for deletion is DELETED, unreachable or slow
 * past `timeout` (after `maxAttempts`) is SOURCE_UNAVAILABLE, a malformed reply BAD_REPLY.
 * hush.yaml's source is this one behind the remote toolkit's cache (`cacheTtl`, `refresh()`) and,
 * with `offlineCache`, its encrypted last-known-good copies. docs/aws.md has the IAM policy.
 */
import { resolve } from "node:path";
import { HushError } from "../errors.js";
import { assertValidName, isValidName } from "../names.js";
import type { RemoteRef } from "../config/types.js";
import type { SecretRecord, SecretSource } from "../types.js";
import { option } from "../config/options-schema.js";
import { defineSourceType } from "./descriptor.js";
import { withCache } from "./remote/cache.js";
import { withLastKnownGood } from "./remote/last-known-good.js";
import { joinKey, namesForKeys } from "./remote/mapping.js";
import { remoteOptions } from "./remote/options.js";
import { createLazyAwsClient, type AwsSecretValue, type AwsSecretsClient } from "./aws/client.js";
import { awsError, isAwsNotFound } from "./aws/errors.js";
import { recordOf, targetOf, type AwsTarget } from "./aws/read.js";
import { listVersions } from "./aws/versions.js";
import { deleteSecret, writeValue } from "./aws/write.js";
import { checkAws } from "./aws/check.js";
import { discardPending, promoteVersion, readPending, stageVersion } from "./aws/stage.js";

/** Options of {@link createAwsSource}. */
export interface AwsSourceOptions {
  /** AWS region. @default the SDK's (AWS_REGION, the profile's region) */
  region?: string;
  /** Shared-config profile. @default the SDK's (AWS_PROFILE, else `default`) */
  profile?: string;
  /** Endpoint URL (a VPC endpoint, a test server). @default the SDK's (AWS_ENDPOINT_URL_SECRETS_MANAGER, else AWS's) */
  endpoint?: string;
  /** Prefix of every secret name (`myapp/prod` -> `myapp/prod/NAME`); `{env}` is the environment. @default "" */
  path?: string;
  /** Per-attempt request timeout, in milliseconds. @default 10000 */
  timeoutMs?: number;
  /** Attempts per call, the first included (the remote toolkit's jittered retries). @default 3 */
  maxAttempts?: number;
  /** Days AWS keeps a deleted secret restorable (7-30); 0 deletes at once, without recovery. @default 30 */
  recoveryWindowDays?: number;
  /** `secrets.NAME.remote` by canonical name. @default {} */
  remoteRefs?: Readonly<Record<string, RemoteRef>>;
  /** The environment, for `{env}` in `path`. @default "dev" */
  environment?: string;
  /** The client (tests, another transport). @default the SDK client, made on first use */
  client?: AwsSecretsClient;
}

/** `- type: aws` in hush.yaml. */
export const awsSourceType = defineSourceType({
  type: "aws",
  summary: "AWS Secrets Manager through the official SDK (versions and stages, JSON properties, writable)",
  options: {
    region: option.string({ description: "AWS region", docDefault: "AWS_REGION or the profile's" }),
    profile: option.string({ description: "shared-config profile", docDefault: "AWS_PROFILE or `default`" }),
    endpoint: option.string({ description: "endpoint URL (VPC endpoint, test server)", docDefault: "AWS's" }),
    path: option.string({ description: "prefix of every secret name (`myapp/{env}` -> `myapp/prod/NAME`)", default: "" }),
    maxAttempts: option.integer({ min: 1, max: 10, default: 3, description: "attempts per call, with jittered backoff" }),
    recoveryWindowDays: option.integer({ min: 0, max: 30, default: 30, description: "days a deleted secret stays restorable (7-30; 0: at once)" }),
    ...remoteOptions,
  },
  create(options, context) {
    const { cacheTtl, timeout, offlineCache, ...rest } = options;
    let source = createAwsSource({ ...rest, timeoutMs: timeout, remoteRefs: context.remoteRefs, environment: context.environment });
    if (offlineCache) {
      const dir = offlineCache.dir === undefined ? undefined : resolve(context.root, offlineCache.dir);
      source = withLastKnownGood(source, { maxStalenessMs: offlineCache.maxStaleness, ...(dir !== undefined ? { dir } : {}), context });
    }
    return withCache(source, { ttlMs: cacheTtl, onWarning: context.onWarning });
  },
});

const SOURCE_NAME = "aws";

/**
 * Creates the `aws` source. Nothing is loaded or called until the first read.
 *
 * @example
 * const source = createAwsSource({ region: "eu-west-1", path: "myapp/prod/" });
 * const record = await source.get("openai_api_key");
 */
export function createAwsSource(options: AwsSourceOptions = {}): SecretSource {
  const recoveryWindowDays = options.recoveryWindowDays ?? 30;
  if (recoveryWindowDays > 0 && recoveryWindowDays < 7) throw new HushError("CONFIG_INVALID", "recoveryWindowDays of the aws source is 0 (delete at once) or 7 to 30.", { source: SOURCE_NAME });
  // "" or "a/b/": joinKey's one `/` between prefix and name.
  const path = joinKey((options.path ?? "").replaceAll("{env}", options.environment ?? "dev"), "");
  const refs = options.remoteRefs ?? {};
  const client = options.client ?? createLazyAwsClient({ region: options.region, profile: options.profile, endpoint: options.endpoint, timeoutMs: options.timeoutMs ?? 10_000, maxAttempts: options.maxAttempts ?? 3 });
  const target = (name: string): AwsTarget => targetOf(assertValidName(name), path, refs);

  async function read(name: string, t: AwsTarget): Promise<SecretRecord | undefined> {
    try {
      const entry = await client.getSecretValue({ SecretId: t.secretId, ...t.version });
      return recordOf(name, t, entry, SOURCE_NAME);
    } catch (e) {
      if (isAwsNotFound(e)) return undefined;
      throw awsError(e, "read", t.secretId, name);
    }
  }

  return {
    name: SOURCE_NAME,
    get: async (name) => read(name, target(name)),
    getMany: async (names) => readMany(names.map((n) => [n, target(n)] as const), read, client),
    list: () => listNames(client, path, refs),
    async set(name, value) {
      const t = target(name);
      const versionId = await writeValue(client, t, name, value);
      return { name, value, source: SOURCE_NAME, updatedAt: new Date(), location: `${t.secretId}@${versionId ?? "?"}` };
    },
    delete: async (name) => deleteSecret(client, target(name), name, recoveryWindowDays),
    versions: async (name) => listVersions(client, target(name).secretId, name).then((vs) => vs.map(({ id: _id, ...info }) => info)),
    async getVersion(name, version) {
      const t = target(name);
      const found = (await listVersions(client, t.secretId, name)).find((v) => v.version === version);
      if (!found) return undefined;
      const record = await read(name, { ...t, version: { VersionId: found.id } });
      return record && { ...record, version };
    },
    async rollback(name, toVersion) {
      const old = await this.getVersion!(name, toVersion);
      if (!old) throw new HushError("VERSION_NOT_FOUND", `${name} has no version ${toVersion} in AWS Secrets Manager.`, { source: SOURCE_NAME, secret: name });
      return this.set!(name, old.value);
    },
    stage: async (name, value) => stageVersion(client, target(name), name, value),
    getPending: async (name) => readPending(client, target(name), name),
    promote: async (name, version) => promoteVersion(client, target(name), name, version),
    discardPending: async (name, version) => discardPending(client, target(name), name, version),
    remoteLocation(name) {
      const t = target(name);
      const ref = Object.hasOwn(refs, name) ? refs[name] : undefined;
      const version = ref?.version;
      return { key: t.secretId, mapped: ref !== undefined, address: `${t.secretId}${t.property !== undefined ? `#${t.property}` : ""}${version !== undefined ? `@${version}` : ""}`, ...(t.property !== undefined ? { property: t.property } : {}), ...(version !== undefined ? { version } : {}) };
    },
    check: () => checkAws(client, path, refs),
    async dispose() {
      client.destroy();
    },
  };
}

// --- internal ---

/** BatchGetSecretValue's limit on SecretIdList. */
const BATCH_SIZE = 20;
/** ListSecrets pages of 100 (its maximum), at most this many. */
const MAX_LIST_PAGES = 1000;

/** getMany: pinned versions read one by one, the rest in batches of 20 (concurrently). */
async function readMany(
  items: readonly (readonly [string, AwsTarget])[],
  read: (name: string, t: AwsTarget) => Promise<SecretRecord | undefined>,
  client: AwsSecretsClient,
): Promise<(SecretRecord | undefined)[]> {
  const ids = [...new Set(items.filter(([, t]) => t.version === undefined).map(([, t]) => t.secretId))];
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += BATCH_SIZE) chunks.push(ids.slice(i, i + BATCH_SIZE));
  const failures = new Map<string, { name: string; message: string }>();
  const fetched = new Map<string, AwsSecretValue>();
  await Promise.all(
    chunks.map(async (chunk) => {
      let out;
      try {
        out = await client.batchGetSecretValue({ SecretIdList: chunk });
      } catch (e) {
        throw awsError(e, "read a batch of", undefined);
      }
      for (const entry of out.SecretValues ?? []) {
        for (const id of [entry.Name, entry.ARN]) {
          if (id !== undefined && chunk.includes(id)) fetched.set(id, entry);
        }
      }
      for (const err of out.Errors ?? []) if (err.SecretId) failures.set(err.SecretId, { name: err.ErrorCode ?? "", message: err.Message ?? "" });
    }),
  );
  return Promise.all(
    items.map(async ([name, t]) => {
      if (t.version !== undefined) return read(name, t);
      const failure = failures.get(t.secretId);
      if (failure && isAwsNotFound(failure)) return undefined;
      if (failure) throw awsError(failure, "read", t.secretId, name);
      const entry = fetched.get(t.secretId);
      return entry ? recordOf(name, t, entry, SOURCE_NAME) : read(name, t);
    }),
  );
}

/** Names under `path` (ListSecrets, paginated, name-prefix filter) plus mapped names whose secret is listed. */
async function listNames(client: AwsSecretsClient, path: string, refs: Readonly<Record<string, RemoteRef>>): Promise<string[]> {
  const found: string[] = [];
  let token: string | undefined;
  try {
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const out = await client.listSecrets({ Filters: path ? [{ Key: "name", Values: [path] }] : undefined, NextToken: token, MaxResults: 100 });
      for (const s of out.SecretList ?? []) if (s.Name?.startsWith(path)) found.push(s.Name);
      token = out.NextToken;
      if (!token) break;
    }
  } catch (e) {
    throw awsError(e, "list secrets under", path || "(no prefix)");
  }
  return namesForKeys(found.map((n) => n.slice(path.length)), path, refs).filter(isValidName).sort();
}
