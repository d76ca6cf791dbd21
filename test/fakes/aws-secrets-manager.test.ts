/**
 * The Secrets Manager fake checked against the real SDK: `@aws-sdk/client-secrets-manager`, pointed
 * at the fake through `endpoint` (and through AWS_ENDPOINT_URL_SECRETS_MANAGER), with static test
 * credentials, gets the shapes it expects, and its errors arrive as the SDK's typed exceptions.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import { startAwsSecretsManagerFake, type AwsSecretsManagerFake } from "./aws-secrets-manager.js";

const credentials = { accessKeyId: "AKIDTESTFAKE", secretAccessKey: "test-secret-access-key" };
let fake: AwsSecretsManagerFake;
let client: SecretsManagerClient;

beforeAll(async () => {
  fake = await startAwsSecretsManagerFake();
  client = new SecretsManagerClient({ region: "us-east-1", endpoint: fake.url, credentials, maxAttempts: 1 });
});
afterAll(async () => {
  client.destroy();
  await fake.close();
});

const nameOf = (e: unknown) => (e as { name?: string }).name;

describe("aws secrets manager fake, through the real SDK", () => {
  it("create, put with stages, get by stage and by version id; binary values", async () => {
    const created = await client.send(new CreateSecretCommand({ Name: "app/one", SecretString: '{"user":"u","pass":"p1"}' }));
    expect(created.ARN).toMatch(/^arn:aws:secretsmanager:/);
    const v2 = await client.send(new PutSecretValueCommand({ SecretId: "app/one", SecretString: "second" }));
    expect(v2.VersionStages).toEqual(["AWSCURRENT"]);
    const current = await client.send(new GetSecretValueCommand({ SecretId: "app/one" }));
    expect(current.SecretString).toBe("second");
    expect(current.CreatedDate).toBeInstanceOf(Date);
    const previous = await client.send(new GetSecretValueCommand({ SecretId: "app/one", VersionStage: "AWSPREVIOUS" }));
    expect(previous.SecretString).toBe('{"user":"u","pass":"p1"}');
    expect((await client.send(new GetSecretValueCommand({ SecretId: created.ARN, VersionId: created.VersionId }))).VersionStages).toEqual(["AWSPREVIOUS"]);
    const bytes = Buffer.from([0, 1, 2, 255, 254]);
    await client.send(new CreateSecretCommand({ Name: "app/bin", SecretBinary: bytes }));
    const bin = await client.send(new GetSecretValueCommand({ SecretId: "app/bin" }));
    expect(Buffer.from(bin.SecretBinary!).equals(bytes)).toBe(true);
    expect(bin.SecretString).toBeUndefined();
  });

  it("PutSecretValue with a ClientRequestToken is idempotent; the token with another value is ResourceExistsException", async () => {
    await client.send(new CreateSecretCommand({ Name: "app/idem" }));
    const token = "0f3a3c4e-1111-4222-8333-944455556666";
    const a = await client.send(new PutSecretValueCommand({ SecretId: "app/idem", SecretString: "v", ClientRequestToken: token }));
    const b = await client.send(new PutSecretValueCommand({ SecretId: "app/idem", SecretString: "v", ClientRequestToken: token }));
    expect(a.VersionId).toBe(token);
    expect(b.VersionId).toBe(token);
    expect(fake.secrets.get("app/idem")!.versions.length).toBe(1);
    const e = await client.send(new PutSecretValueCommand({ SecretId: "app/idem", SecretString: "other", ClientRequestToken: token })).catch((x: unknown) => x);
    expect(nameOf(e)).toBe("ResourceExistsException");
  });

  it("pending stage, UpdateSecretVersionStage moves AWSCURRENT and makes AWSPREVIOUS; ListSecretVersionIds", async () => {
    await client.send(new CreateSecretCommand({ Name: "app/rot", SecretString: "old" }));
    const pending = await client.send(new PutSecretValueCommand({ SecretId: "app/rot", SecretString: "new", VersionStages: ["AWSPENDING"] }));
    expect((await client.send(new GetSecretValueCommand({ SecretId: "app/rot" }))).SecretString).toBe("old");
    expect((await client.send(new GetSecretValueCommand({ SecretId: "app/rot", VersionStage: "AWSPENDING" }))).SecretString).toBe("new");
    const listed = await client.send(new ListSecretVersionIdsCommand({ SecretId: "app/rot" }));
    const currentId = listed.Versions!.find((v) => v.VersionStages!.includes("AWSCURRENT"))!.VersionId!;
    const refused = await client.send(new UpdateSecretVersionStageCommand({ SecretId: "app/rot", VersionStage: "AWSCURRENT", MoveToVersionId: pending.VersionId })).catch((x: unknown) => x);
    expect(nameOf(refused)).toBe("InvalidParameterException");
    await client.send(new UpdateSecretVersionStageCommand({ SecretId: "app/rot", VersionStage: "AWSCURRENT", MoveToVersionId: pending.VersionId, RemoveFromVersionId: currentId }));
    expect((await client.send(new GetSecretValueCommand({ SecretId: "app/rot" }))).SecretString).toBe("new");
    expect((await client.send(new GetSecretValueCommand({ SecretId: "app/rot", VersionStage: "AWSPREVIOUS" }))).SecretString).toBe("old");
    expect((await client.send(new ListSecretVersionIdsCommand({ SecretId: "app/rot" }))).Versions![0]!.CreatedDate).toBeInstanceOf(Date);
  });

  it("AWSPENDING: a second put with it moves the label; RemoveFromVersionId alone removes it; the first version of a secret is AWSCURRENT whatever VersionStages says", async () => {
    await client.send(new CreateSecretCommand({ Name: "app/rot2" }));
    const first = await client.send(new PutSecretValueCommand({ SecretId: "app/rot2", SecretString: "one", VersionStages: ["AWSPENDING"] }));
    expect(first.VersionStages?.slice().sort()).toEqual(["AWSCURRENT", "AWSPENDING"]);
    const a = await client.send(new PutSecretValueCommand({ SecretId: "app/rot2", SecretString: "a", VersionStages: ["AWSPENDING"] }));
    expect((await client.send(new GetSecretValueCommand({ SecretId: "app/rot2", VersionStage: "AWSPENDING" }))).VersionId).toBe(a.VersionId);
    expect((await client.send(new GetSecretValueCommand({ SecretId: "app/rot2", VersionId: first.VersionId }))).VersionStages).toEqual(["AWSCURRENT"]);
    const wrong = await client.send(new UpdateSecretVersionStageCommand({ SecretId: "app/rot2", VersionStage: "AWSPENDING", RemoveFromVersionId: first.VersionId })).catch((x: unknown) => x);
    expect(nameOf(wrong), "RemoveFromVersionId must hold the label").toBe("InvalidParameterException");
    await client.send(new UpdateSecretVersionStageCommand({ SecretId: "app/rot2", VersionStage: "AWSPENDING", RemoveFromVersionId: a.VersionId }));
    const gone = await client.send(new GetSecretValueCommand({ SecretId: "app/rot2", VersionStage: "AWSPENDING" })).catch((x: unknown) => x);
    expect(nameOf(gone)).toBe("ResourceNotFoundException");
  });

  it("ListSecrets pages with NextToken under a name prefix; BatchGetSecretValue takes up to 20 and reports per-secret errors", async () => {
    for (let i = 0; i < 25; i++) fake.put(`list/item_${String(i).padStart(2, "0")}`, `value-${i}`);
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const out = await client.send(new ListSecretsCommand({ MaxResults: 10, NextToken: token, Filters: [{ Key: "name", Values: ["list/"] }] }));
      names.push(...out.SecretList!.map((s) => s.Name!));
      token = out.NextToken;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(names.length).toBe(25);
    fake.deny.add("list/item_01");
    const batch = await client.send(new BatchGetSecretValueCommand({ SecretIdList: ["list/item_00", "list/item_01", "list/nope"] }));
    expect(batch.SecretValues!.map((v) => v.SecretString)).toEqual(["value-0"]);
    expect(batch.Errors!.map((x) => [x.SecretId, x.ErrorCode])).toEqual([["list/item_01", "AccessDeniedException"], ["list/nope", "ResourceNotFoundException"]]);
    const tooMany = await client.send(new BatchGetSecretValueCommand({ SecretIdList: names.slice(0, 21) })).catch((x: unknown) => x);
    expect(nameOf(tooMany)).toBe("InvalidParameterException");
  });

  it("DeleteSecret: a recovery window makes reads InvalidRequestException; force delete makes them ResourceNotFoundException", async () => {
    fake.put("del/soft", "x");
    fake.put("del/hard", "x");
    const soft = await client.send(new DeleteSecretCommand({ SecretId: "del/soft", RecoveryWindowInDays: 7 }));
    expect(soft.DeletionDate).toBeInstanceOf(Date);
    expect(nameOf(await client.send(new GetSecretValueCommand({ SecretId: "del/soft" })).catch((x: unknown) => x))).toBe("InvalidRequestException");
    expect(nameOf(await client.send(new PutSecretValueCommand({ SecretId: "del/soft", SecretString: "y" })).catch((x: unknown) => x))).toBe("InvalidRequestException");
    await client.send(new DeleteSecretCommand({ SecretId: "del/hard", ForceDeleteWithoutRecovery: true }));
    expect(nameOf(await client.send(new GetSecretValueCommand({ SecretId: "del/hard" })).catch((x: unknown) => x))).toBe("ResourceNotFoundException");
  });

  it("AccessDeniedException and DecryptionFailure arrive as the SDK's typed errors with status 400", async () => {
    fake.put("err/denied", "x");
    fake.put("err/kms", "x");
    fake.deny.add("err/denied");
    fake.decryptFailure.add("err/kms");
    const denied = await client.send(new GetSecretValueCommand({ SecretId: "err/denied" })).catch((x: unknown) => x);
    expect(nameOf(denied)).toBe("AccessDeniedException");
    expect((denied as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(400);
    expect(nameOf(await client.send(new GetSecretValueCommand({ SecretId: "err/kms" })).catch((x: unknown) => x))).toBe("DecryptionFailure");
  });

  it("AWS_ENDPOINT_URL_SECRETS_MANAGER points a client without `endpoint` at the fake", async () => {
    const saved = process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = fake.url;
    try {
      const viaEnv = new SecretsManagerClient({ region: "us-east-1", credentials, maxAttempts: 1 });
      const before = fake.server.calls("GetSecretValue");
      expect((await viaEnv.send(new GetSecretValueCommand({ SecretId: "app/one" }))).SecretString).toBe("second");
      expect(fake.server.calls("GetSecretValue")).toBe(before + 1);
      viaEnv.destroy();
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
      else process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = saved;
    }
  });

  it("refuses a request without a SigV4 Authorization header", async () => {
    const res = await fetch(fake.url, { method: "POST", headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "secretsmanager.GetSecretValue" }, body: '{"SecretId":"app/one"}' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { __type: string }).__type).toBe("MissingAuthenticationTokenException");
  });
});
