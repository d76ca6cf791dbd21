/**
 * A fake AWS KMS on 127.0.0.1, speaking the AWS JSON 1.1 protocol (`aws-json.ts`,
 * `X-Amz-Target: TrentService.<Operation>`) that the real `@aws-sdk/client-kms` is pointed at
 * through `endpoint`. Encrypt, Decrypt and GenerateDataKey follow the API reference
 * (docs.aws.amazon.com/kms/latest/APIReference): blobs travel as base64, a ciphertext names its
 * key (Decrypt needs no KeyId for a symmetric key, and refuses one that names another key with
 * IncorrectKeyException), and the EncryptionContext is bound to the ciphertext (a different
 * context is InvalidCiphertextException).
 *
 * The keys are real: each key id holds a random AES-256 key and ciphertexts are AES-256-GCM on
 * node:crypto, so a ciphertext is not readable without the fake. Test controls: `denied` (every
 * call is AccessDeniedException), `disabled` (key ids whose calls are DisabledException).
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { AwsFakeError, startAwsJsonFake, type AwsJsonFakeServer } from "./aws-json.js";

/** A running fake KMS. */
export interface AwsKmsFake {
  server: AwsJsonFakeServer;
  url: string;
  /** Creates a symmetric key and returns its ARN (aliases: pass `alias/NAME` as well). */
  createKey(alias?: string): string;
  /** When true, every call is refused with AccessDeniedException. */
  denied: boolean;
  /** Key ARNs whose calls fail with DisabledException. */
  disabled: Set<string>;
  close(): Promise<void>;
}

/** Starts the fake. */
export async function startAwsKmsFake(): Promise<AwsKmsFake> {
  const keys = new Map<string, Buffer>(); // ARN -> AES-256 key
  const aliases = new Map<string, string>(); // alias/NAME -> ARN
  const state = { denied: false, disabled: new Set<string>() };
  const resolveKey = (id: unknown): string => {
    const arn = typeof id !== "string" ? undefined : keys.has(id) ? id : (aliases.get(id) ?? [...keys.keys()].find((k) => k.endsWith(`:key/${id}`)));
    if (!arn) throw new AwsFakeError("NotFoundException", "Key does not exist.");
    if (state.disabled.has(arn)) throw new AwsFakeError("DisabledException", "The key is disabled.");
    return arn;
  };
  const gate = () => {
    if (state.denied) throw new AwsFakeError("AccessDeniedException", "User is not authorized to perform this operation: no identity-based policy allows the kms action.");
  };
  const encrypt = (arn: string, plaintext: Buffer, context: unknown): string => {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", keys.get(arn)!, iv).setAAD(Buffer.from(contextText(context)));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const arnBytes = Buffer.from(arn);
    return Buffer.concat([Buffer.from([arnBytes.length]), arnBytes, iv, cipher.getAuthTag(), body]).toString("base64");
  };
  const server = await startAwsJsonFake("TrentService", {
    Encrypt: (i) => {
      gate();
      const arn = resolveKey(i.KeyId);
      const plaintext = blob(i.Plaintext);
      if (plaintext.length < 1 || plaintext.length > 4096) throw new AwsFakeError("ValidationException", "Plaintext must be 1 to 4096 bytes.");
      return { KeyId: arn, CiphertextBlob: encrypt(arn, plaintext, i.EncryptionContext), EncryptionAlgorithm: "SYMMETRIC_DEFAULT" };
    },
    GenerateDataKey: (i) => {
      gate();
      const arn = resolveKey(i.KeyId);
      const size = i.NumberOfBytes !== undefined ? Number(i.NumberOfBytes) : i.KeySpec === "AES_128" ? 16 : i.KeySpec === "AES_256" ? 32 : NaN;
      if (!Number.isInteger(size) || size < 1 || size > 1024) throw new AwsFakeError("ValidationException", "Specify KeySpec (AES_128 or AES_256) or NumberOfBytes (1-1024).");
      const plaintext = randomBytes(size);
      return { KeyId: arn, Plaintext: plaintext.toString("base64"), CiphertextBlob: encrypt(arn, plaintext, i.EncryptionContext) };
    },
    Decrypt: (i) => {
      gate();
      const raw = blob(i.CiphertextBlob);
      const arn = raw.subarray(1, 1 + raw[0]!).toString();
      if (!keys.has(arn)) throw new AwsFakeError("InvalidCiphertextException", "The ciphertext is invalid.");
      if (i.KeyId !== undefined && resolveKey(i.KeyId) !== arn) throw new AwsFakeError("IncorrectKeyException", "The key ID in the request does not identify the key that encrypted the ciphertext.");
      resolveKey(arn);
      const at = 1 + raw[0]!;
      try {
        const decipher = createDecipheriv("aes-256-gcm", keys.get(arn)!, raw.subarray(at, at + 12)).setAAD(Buffer.from(contextText(i.EncryptionContext)));
        decipher.setAuthTag(raw.subarray(at + 12, at + 28));
        const plaintext = Buffer.concat([decipher.update(raw.subarray(at + 28)), decipher.final()]);
        return { KeyId: arn, Plaintext: plaintext.toString("base64"), EncryptionAlgorithm: "SYMMETRIC_DEFAULT" };
      } catch {
        throw new AwsFakeError("InvalidCiphertextException", "The ciphertext is invalid or the encryption context does not match.");
      }
    },
  });
  return {
    server,
    url: server.url,
    createKey(alias) {
      const arn = `arn:aws:kms:us-east-1:123456789012:key/${crypto.randomUUID()}`;
      keys.set(arn, randomBytes(32));
      if (alias) aliases.set(alias.startsWith("alias/") ? alias : `alias/${alias}`, arn);
      return arn;
    },
    get denied() {
      return state.denied;
    },
    set denied(v: boolean) {
      state.denied = v;
    },
    disabled: state.disabled,
    close: () => server.close(),
  };
}

// --- internal ---

function blob(v: unknown): Buffer {
  if (typeof v !== "string" || v === "") throw new AwsFakeError("ValidationException", "A blob parameter is missing.");
  return Buffer.from(v, "base64");
}

/** The encryption context as bound to a ciphertext: its pairs in key order. */
function contextText(context: unknown): string {
  const entries = typeof context === "object" && context !== null ? Object.entries(context as Record<string, string>) : [];
  return JSON.stringify(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
