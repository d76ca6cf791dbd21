/** The KMS fake checked against the real `@aws-sdk/client-kms`, pointed at it through `endpoint`. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DecryptCommand, EncryptCommand, GenerateDataKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { startAwsKmsFake, type AwsKmsFake } from "./aws-kms.js";

let fake: AwsKmsFake;
let client: KMSClient;
beforeAll(async () => {
  fake = await startAwsKmsFake();
  client = new KMSClient({ region: "us-east-1", endpoint: fake.url, credentials: { accessKeyId: "AKIDTESTFAKE", secretAccessKey: "test-secret" }, maxAttempts: 1 });
});
afterAll(async () => {
  client.destroy();
  await fake.close();
});

const nameOf = (e: unknown) => (e as { name?: string }).name;

describe("aws kms fake, through the real SDK", () => {
  it("Encrypt then Decrypt (by alias, without KeyId), bound to the encryption context", async () => {
    const arn = fake.createKey("hush-test");
    const context = { hush: "prod" };
    const enc = await client.send(new EncryptCommand({ KeyId: "alias/hush-test", Plaintext: Buffer.from("the data key"), EncryptionContext: context }));
    expect(enc.KeyId).toBe(arn);
    expect(enc.CiphertextBlob).toBeInstanceOf(Uint8Array);
    const dec = await client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: context }));
    expect(Buffer.from(dec.Plaintext!).toString()).toBe("the data key");
    expect(nameOf(await client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { hush: "dev" } })).catch((e: unknown) => e))).toBe("InvalidCiphertextException");
    const other = fake.createKey();
    expect(nameOf(await client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, KeyId: other, EncryptionContext: context })).catch((e: unknown) => e))).toBe("IncorrectKeyException");
  });

  it("GenerateDataKey gives a plaintext key and its ciphertext", async () => {
    const arn = fake.createKey();
    const out = await client.send(new GenerateDataKeyCommand({ KeyId: arn, KeySpec: "AES_256" }));
    expect(out.Plaintext!.length).toBe(32);
    const dec = await client.send(new DecryptCommand({ CiphertextBlob: out.CiphertextBlob }));
    expect(Buffer.from(dec.Plaintext!).equals(Buffer.from(out.Plaintext!))).toBe(true);
  });

  it("the denial switch, a disabled key and an unknown key are the SDK's typed errors", async () => {
    const arn = fake.createKey();
    const enc = await client.send(new EncryptCommand({ KeyId: arn, Plaintext: Buffer.from("x") }));
    fake.denied = true;
    expect(nameOf(await client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob })).catch((e: unknown) => e))).toBe("AccessDeniedException");
    fake.denied = false;
    fake.disabled.add(arn);
    expect(nameOf(await client.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob })).catch((e: unknown) => e))).toBe("DisabledException");
    expect(nameOf(await client.send(new EncryptCommand({ KeyId: "alias/none", Plaintext: Buffer.from("x") })).catch((e: unknown) => e))).toBe("NotFoundException");
    expect(fake.server.calls("Decrypt")).toBeGreaterThan(0);
  });
});
