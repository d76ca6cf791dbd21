/**
 * A fake AWS Secrets Manager on 127.0.0.1, speaking the AWS JSON 1.1 protocol (`aws-json.ts`)
 * that the real `@aws-sdk/client-secrets-manager` is pointed at through `endpoint` (or
 * `AWS_ENDPOINT_URL_SECRETS_MANAGER`). It follows the API reference
 * (docs.aws.amazon.com/secretsmanager/latest/apireference):
 *
 * - GetSecretValue (by VersionId or VersionStage, AWSCURRENT by default), BatchGetSecretValue
 *   (SecretIdList of at most 20, or Filters; per-secret failures in `Errors`), DescribeSecret;
 * - CreateSecret, PutSecretValue (ClientRequestToken becomes the VersionId: the same token with
 *   the same value is the same version, with another value ResourceExistsException; VersionStages
 *   given: only those labels, moved from the version holding them, AWSCURRENT added on a
 *   secret's first version; absent: AWSCURRENT), DeleteSecret
 *   (RecoveryWindowInDays 7-30, default 30, or ForceDeleteWithoutRecovery), RestoreSecret;
 * - ListSecrets (MaxResults, NextToken, `name` filter: prefix), ListSecretVersionIds (paginated
 *   too), UpdateSecretVersionStage (MoveToVersionId and/or RemoveFromVersionId; moving a label held
 *   by another version needs that version as RemoveFromVersionId, else InvalidParameterException);
 *   stages AWSCURRENT / AWSPENDING / AWSPREVIOUS move as AWS moves them.
 *
 * A secret scheduled for deletion refuses reads and writes with InvalidRequestException, as AWS
 * does. The test controls: `deny` (names whose reads are AccessDeniedException), `decryptFailure`
 * (names whose reads are DecryptionFailure), and the base server's `faults`.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { AwsFakeError, awsTime, startAwsJsonFake, type AwsJsonFakeServer } from "./aws-json.js";

/** One stored version. */
export interface FakeSecretVersion {
  id: string;
  string?: string;
  binary?: Buffer;
  stages: string[];
  created: Date;
}

/** One secret with its versions (oldest first). */
export interface FakeSecret {
  name: string;
  arn: string;
  created: Date;
  versions: FakeSecretVersion[];
  /** Set while scheduled for deletion. */
  deletionDate?: Date;
}

/** A running fake Secrets Manager. */
export interface AwsSecretsManagerFake {
  server: AwsJsonFakeServer;
  url: string;
  secrets: Map<string, FakeSecret>;
  /** Names whose reads are refused with AccessDeniedException. */
  deny: Set<string>;
  /** Names whose reads fail with DecryptionFailure (their KMS key cannot decrypt). */
  decryptFailure: Set<string>;
  /** Writes a new AWSCURRENT version of `name` from outside (creates the secret when absent). */
  put(name: string, value: string | Buffer): FakeSecretVersion;
  close(): Promise<void>;
}

/** Starts the fake. */
export async function startAwsSecretsManagerFake(): Promise<AwsSecretsManagerFake> {
  const secrets = new Map<string, FakeSecret>();
  const deny = new Set<string>();
  const decryptFailure = new Set<string>();
  const find = (id: unknown): FakeSecret => {
    const s = typeof id === "string" ? (secrets.get(id) ?? [...secrets.values()].find((x) => x.arn === id)) : undefined;
    if (!s) throw new AwsFakeError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
    return s;
  };
  const live = (id: unknown): FakeSecret => {
    const s = find(id);
    if (s.deletionDate) throw new AwsFakeError("InvalidRequestException", "You can't perform this operation on the secret because it was marked for deletion.");
    return s;
  };
  const readable = (id: unknown): FakeSecret => {
    const s = find(id);
    if (deny.has(s.name)) throw new AwsFakeError("AccessDeniedException", `User: ${CALLER} is not authorized to perform: secretsmanager:GetSecretValue on resource: ${s.name} because no identity-based policy allows the secretsmanager:GetSecretValue action`);
    if (s.deletionDate) throw new AwsFakeError("InvalidRequestException", "You can't perform this operation on the secret because it was marked for deletion.");
    if (decryptFailure.has(s.name)) throw new AwsFakeError("DecryptionFailure", "Secrets Manager can't decrypt the protected secret text using the provided KMS key.");
    return s;
  };
  const create = (name: string): FakeSecret => {
    const s: FakeSecret = { name, arn: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-${randomBytes(3).toString("hex")}`, created: new Date(), versions: [] };
    secrets.set(name, s);
    return s;
  };
  const server = await startAwsJsonFake("secretsmanager", {
    GetSecretValue: (i) => valueEntry(readable(i.SecretId), pickVersion(find(i.SecretId), i.VersionId, i.VersionStage)),
    BatchGetSecretValue: (i) => batchGet(i, secrets, readable),
    DescribeSecret: (i) => describe(find(i.SecretId)),
    CreateSecret: (i) => {
      if (typeof i.Name !== "string" || i.Name === "") throw new AwsFakeError("InvalidParameterException", "Name is required.");
      const existing = secrets.get(i.Name);
      if (existing?.deletionDate) throw new AwsFakeError("InvalidRequestException", "You can't create this secret because a secret with this name is already scheduled for deletion.");
      if (existing) throw new AwsFakeError("ResourceExistsException", `The operation failed because the secret ${i.Name} already exists.`);
      const s = create(i.Name);
      const v = i.SecretString !== undefined || i.SecretBinary !== undefined ? putVersion(s, i) : undefined;
      return { ARN: s.arn, Name: s.name, VersionId: v?.id };
    },
    PutSecretValue: (i) => {
      const s = live(i.SecretId);
      const v = putVersion(s, i);
      return { ARN: s.arn, Name: s.name, VersionId: v.id, VersionStages: v.stages };
    },
    DeleteSecret: (i) => {
      const s = find(i.SecretId);
      if (i.ForceDeleteWithoutRecovery === true) {
        if (i.RecoveryWindowInDays !== undefined) throw new AwsFakeError("InvalidParameterException", "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
        secrets.delete(s.name);
        return { ARN: s.arn, Name: s.name, DeletionDate: awsTime(new Date()) };
      }
      if (s.deletionDate) throw new AwsFakeError("InvalidRequestException", "You can't perform this operation on the secret because it was already scheduled for deletion.");
      const days = i.RecoveryWindowInDays === undefined ? 30 : Number(i.RecoveryWindowInDays);
      if (!Number.isInteger(days) || days < 7 || days > 30) throw new AwsFakeError("InvalidParameterException", "RecoveryWindowInDays must be between 7 and 30.");
      s.deletionDate = new Date(Date.now() + days * 86_400_000);
      return { ARN: s.arn, Name: s.name, DeletionDate: awsTime(s.deletionDate) };
    },
    RestoreSecret: (i) => {
      const s = find(i.SecretId);
      delete s.deletionDate;
      return { ARN: s.arn, Name: s.name };
    },
    ListSecrets: (i) => listSecrets(i, secrets),
    ListSecretVersionIds: (i) => {
      const s = find(i.SecretId);
      const versions = s.versions.filter((v) => i.IncludeDeprecated === true || v.stages.length > 0);
      const { items, next } = page(versions, i.MaxResults, i.NextToken, PAGE);
      return { ARN: s.arn, Name: s.name, Versions: items.map((v) => ({ VersionId: v.id, VersionStages: v.stages, CreatedDate: awsTime(v.created) })), NextToken: next };
    },
    UpdateSecretVersionStage: (i) => {
      const s = live(i.SecretId);
      moveStage(s, String(i.VersionStage), i.MoveToVersionId as string | undefined, i.RemoveFromVersionId as string | undefined);
      return { ARN: s.arn, Name: s.name };
    },
  });
  return {
    server,
    url: server.url,
    secrets,
    deny,
    decryptFailure,
    put: (name, value) => putVersion(secrets.get(name) ?? create(name), typeof value === "string" ? { SecretString: value } : { SecretBinary: value.toString("base64") }),
    close: () => server.close(),
  };
}

// --- internal ---

const PAGE = 100;
/** The caller AWS names in a refusal (as a role session would be named). */
export const CALLER = "arn:aws:sts::123456789012:assumed-role/hush-test-app/session-1";

function pickVersion(s: FakeSecret, versionId: unknown, stage: unknown): FakeSecretVersion {
  const v = versionId !== undefined ? s.versions.find((x) => x.id === versionId) : s.versions.find((x) => x.stages.includes(typeof stage === "string" ? stage : "AWSCURRENT"));
  if (!v) throw new AwsFakeError("ResourceNotFoundException", "Secrets Manager can't find the specified secret value for staging label or version id.");
  if (versionId !== undefined && typeof stage === "string" && !v.stages.includes(stage)) throw new AwsFakeError("InvalidRequestException", "The version and the staging label do not match.");
  return v;
}

function valueEntry(s: FakeSecret, v: FakeSecretVersion): Record<string, unknown> {
  return { ARN: s.arn, Name: s.name, VersionId: v.id, SecretString: v.string, SecretBinary: v.binary?.toString("base64"), VersionStages: v.stages, CreatedDate: awsTime(v.created) };
}

function putVersion(s: FakeSecret, i: Record<string, unknown>): FakeSecretVersion {
  if ((i.SecretString === undefined) === (i.SecretBinary === undefined)) throw new AwsFakeError("InvalidParameterException", "You must provide either SecretString or SecretBinary, but not both.");
  const string = i.SecretString === undefined ? undefined : String(i.SecretString);
  const binary = i.SecretBinary === undefined ? undefined : Buffer.from(String(i.SecretBinary), "base64");
  const token = typeof i.ClientRequestToken === "string" ? i.ClientRequestToken : randomUUID();
  const same = s.versions.find((v) => v.id === token);
  if (same) {
    const equal = same.string === string && (same.binary === undefined ? binary === undefined : binary !== undefined && same.binary.equals(binary));
    if (!equal) throw new AwsFakeError("ResourceExistsException", "A version with this ClientRequestToken already exists with a different value.");
    return same; // idempotent: a retried request makes no new version
  }
  const v: FakeSecretVersion = { id: token, string, binary, stages: [], created: new Date() };
  s.versions.push(v);
  const stages = Array.isArray(i.VersionStages) ? [...(i.VersionStages as string[])] : ["AWSCURRENT"];
  // The first version of a secret gets AWSCURRENT whatever VersionStages says (PutSecretValue's reference).
  if (s.versions.length === 1 && !stages.includes("AWSCURRENT")) stages.push("AWSCURRENT");
  for (const stage of stages) moveStage(s, stage, v.id, s.versions.find((x) => x.stages.includes(stage))?.id);
  return v;
}

/** Attaches `stage` to `to` (removing it from `from`); AWSCURRENT's old holder becomes AWSPREVIOUS. */
function moveStage(s: FakeSecret, stage: string, to: string | undefined, from: string | undefined): void {
  const holder = s.versions.find((v) => v.stages.includes(stage));
  if (holder && to !== undefined && holder.id !== to && holder.id !== from) {
    throw new AwsFakeError("InvalidParameterException", `The staging label ${stage} is currently attached to version ${holder.id}; specify it as RemoveFromVersionId.`);
  }
  if (from !== undefined) {
    const old = s.versions.find((v) => v.id === from);
    if (!old?.stages.includes(stage)) throw new AwsFakeError("InvalidParameterException", "RemoveFromVersionId does not hold the staging label.");
    old.stages = old.stages.filter((x) => x !== stage);
  }
  if (to === undefined) return;
  const target = s.versions.find((v) => v.id === to);
  if (!target) throw new AwsFakeError("ResourceNotFoundException", "Secrets Manager can't find the specified version.");
  if (!target.stages.includes(stage)) target.stages.push(stage);
  if (stage === "AWSCURRENT" && from !== undefined && from !== to) {
    for (const v of s.versions) v.stages = v.stages.filter((x) => x !== "AWSPREVIOUS");
    s.versions.find((v) => v.id === from)!.stages.push("AWSPREVIOUS");
  }
}

function describe(s: FakeSecret): Record<string, unknown> {
  const stages = Object.fromEntries(s.versions.filter((v) => v.stages.length > 0).map((v) => [v.id, v.stages]));
  return { ARN: s.arn, Name: s.name, CreatedDate: awsTime(s.created), DeletedDate: s.deletionDate ? awsTime(s.deletionDate) : undefined, VersionIdsToStages: stages };
}

function namesFiltered(secrets: Map<string, FakeSecret>, filters: unknown): FakeSecret[] {
  const prefixes = Array.isArray(filters) ? (filters as { Key?: string; Values?: string[] }[]).filter((f) => f.Key === "name").flatMap((f) => f.Values ?? []) : [];
  return [...secrets.values()].filter((s) => prefixes.length === 0 || prefixes.some((p) => s.name.startsWith(p))).sort((a, b) => a.name.localeCompare(b.name));
}

function page<T>(items: T[], max: unknown, token: unknown, limit: number): { items: T[]; next?: string } {
  const size = max === undefined ? limit : Number(max);
  if (!Number.isInteger(size) || size < 1 || size > limit) throw new AwsFakeError("InvalidParameterException", `MaxResults must be between 1 and ${limit}.`);
  const start = token === undefined ? 0 : Number(Buffer.from(String(token), "base64url").toString());
  if (!Number.isInteger(start) || start < 0) throw new AwsFakeError("InvalidNextTokenException", "The NextToken value is invalid.");
  const next = start + size < items.length ? Buffer.from(String(start + size)).toString("base64url") : undefined;
  return { items: items.slice(start, start + size), next };
}

function listSecrets(i: Record<string, unknown>, secrets: Map<string, FakeSecret>): unknown {
  const all = namesFiltered(secrets, i.Filters).filter((s) => i.IncludePlannedDeletion === true || !s.deletionDate);
  const { items, next } = page(all, i.MaxResults, i.NextToken, PAGE);
  return { SecretList: items.map((s) => ({ ARN: s.arn, Name: s.name, CreatedDate: awsTime(s.created), DeletedDate: s.deletionDate ? awsTime(s.deletionDate) : undefined, SecretVersionsToStages: describe(s).VersionIdsToStages })), NextToken: next };
}

function batchGet(i: Record<string, unknown>, secrets: Map<string, FakeSecret>, readable: (id: unknown) => FakeSecret): unknown {
  const byList = Array.isArray(i.SecretIdList);
  if (byList === (i.Filters !== undefined)) throw new AwsFakeError("InvalidParameterException", "You must include Filters or SecretIdList, but not both.");
  if (byList && ((i.SecretIdList as unknown[]).length < 1 || (i.SecretIdList as unknown[]).length > 20)) throw new AwsFakeError("InvalidParameterException", "SecretIdList holds 1 to 20 secrets.");
  if (byList && i.MaxResults !== undefined) throw new AwsFakeError("InvalidParameterException", "MaxResults is only used with Filters.");
  const ids = byList ? (i.SecretIdList as unknown[]) : page(namesFiltered(secrets, i.Filters), i.MaxResults, i.NextToken, 20).items.map((s) => s.name);
  const next = byList ? undefined : page(namesFiltered(secrets, i.Filters), i.MaxResults, i.NextToken, 20).next;
  const values: unknown[] = [];
  const errors: unknown[] = [];
  for (const id of ids) {
    try {
      const s = readable(id);
      values.push(valueEntry(s, pickVersion(s, undefined, "AWSCURRENT")));
    } catch (e) {
      if (!(e instanceof AwsFakeError)) throw e;
      errors.push({ SecretId: id, ErrorCode: e.type, Message: e.message });
    }
  }
  return { SecretValues: values, Errors: errors, NextToken: next };
}
