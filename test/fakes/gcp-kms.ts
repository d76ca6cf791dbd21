/**
 * A fake Google Cloud KMS: `cryptoKeys/*:encrypt` and `:decrypt` of the v1 REST API
 * (https://cloud.google.com/kms/docs/reference/rest/v1/projects.locations.keyRings.cryptoKeys)
 * on test/fakes/http-fake.ts, for `@google-cloud/kms` in REST mode (`fallback: true`) pointed at
 * it with `apiEndpoint`, `port` and `protocol: "http"`.
 *
 * Each crypto key is an AES-256-GCM key that never leaves the fake; a ciphertext names the key
 * it was made under (as the real one does, opaquely) and binds the additional authenticated
 * data. Requests and replies carry the CRC32C fields (`plaintextCrc32c`, `ciphertextCrc32c`,
 * `verifiedPlaintextCrc32c`). Switches: `denied` (PERMISSION_DENIED on every call),
 * `unavailableAfter` (Cloud KMS going down part-way through a sequence of calls: UNAVAILABLE once
 * a verb has served so many calls), and the base fake's faults (unreachable: `{ drop: true }`).
 * Google's error shape; real credentials (gcp-common.ts).
 *
 * @example
 * const kms = await startGcpKmsFake();
 * const keyName = kms.createKey("hush-keys", "prod");
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { startFakeServer, type FakeRequest, type FakeResponse, type FakeServer } from "./http-fake.js";
import { authenticate, googleError, makeServiceAccount, splitVerb, tokenEndpoint, type FakeServiceAccount } from "./gcp-common.js";
import { crc32c } from "../../src/sources/gcp/crc32c.js";

/** A running fake Cloud KMS. */
export interface GcpKmsFake {
  server: FakeServer;
  port: number;
  url: string;
  projectId: string;
  location: string;
  account: FakeServiceAccount;
  /** When true, every encrypt and decrypt is PERMISSION_DENIED. */
  denied: boolean;
  /**
   * Per verb, how many of its calls (counted in `calls`) are served before every further one is
   * UNAVAILABLE (503): `{ encrypt: 0 }` fails every encrypt, `{ decrypt: calls.decrypt + 1 }` lets
   * one more decrypt through. Empty: none.
   */
  unavailableAfter: Partial<Record<"encrypt" | "decrypt", number>>;
  /** Calls served, by verb. */
  calls: { encrypt: number; decrypt: number };
  /** Makes a key ring's crypto key; returns its resource name. */
  createKey(keyRing: string, key: string): string;
  close(): Promise<void>;
}

/** Starts the fake on 127.0.0.1 (a random port). */
export async function startGcpKmsFake(options: { projectId?: string; location?: string } = {}): Promise<GcpKmsFake> {
  const projectId = options.projectId ?? "hush-test";
  const location = options.location ?? "global";
  const keys = new Map<string, Buffer>();
  const issued = new Map<string, { email: string; at: number }>();
  const server = await startFakeServer((req) => handle(req));
  const account = makeServiceAccount(server.url, projectId);
  const fake: GcpKmsFake = {
    server,
    port: server.port,
    url: server.url,
    projectId,
    location,
    account,
    denied: false,
    unavailableAfter: {},
    calls: { encrypt: 0, decrypt: 0 },
    createKey(keyRing, key) {
      const name = `projects/${projectId}/locations/${location}/keyRings/${keyRing}/cryptoKeys/${key}`;
      keys.set(name, randomBytes(32));
      return name;
    },
    close: () => server.close(),
  };

  function handle(req: FakeRequest): FakeResponse {
    if (req.path === "/token" && req.method === "POST") return tokenEndpoint(req, account, issued);
    if (!authenticate(req, account, issued)) return googleError("UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access token.");
    const { resource, verb } = splitVerb(req.path.replace(/^\/v1\//, ""));
    if (req.method !== "POST" || (verb !== "encrypt" && verb !== "decrypt")) return googleError("NOT_FOUND", "The requested URL was not found on this server.");
    const permission = verb === "encrypt" ? "useToEncrypt" : "useToDecrypt";
    if (fake.denied) return googleError("PERMISSION_DENIED", `Permission 'cloudkms.cryptoKeyVersions.${permission}' denied on resource '${resource}' (or it may not exist).`);
    const limit = fake.unavailableAfter[verb];
    if (limit !== undefined && fake.calls[verb] >= limit) return googleError("UNAVAILABLE", "The service is currently unavailable.");
    const key = keys.get(resource);
    if (!key) return googleError("NOT_FOUND", `CryptoKey ${resource} not found.`);
    const body = (req.json ?? {}) as Record<string, string | undefined>;
    const aad = Buffer.from(body.additionalAuthenticatedData ?? "", "base64");
    fake.calls[verb]++;
    return verb === "encrypt" ? encrypt(resource, key, body, aad) : decrypt(resource, key, body, aad);
  }

  function encrypt(resource: string, key: Buffer, body: Record<string, string | undefined>, aad: Buffer): FakeResponse {
    const plaintext = Buffer.from(body.plaintext ?? "", "base64");
    if (plaintext.length > 65536) return googleError("INVALID_ARGUMENT", "Plaintext too large.");
    if (body.plaintextCrc32c !== undefined && Number(body.plaintextCrc32c) !== crc32c(plaintext)) return googleError("INVALID_ARGUMENT", "The checksum in field plaintext_crc32c did not match the data in field plaintext.");
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", key, iv).setAAD(Buffer.concat([Buffer.from(resource), aad]));
    const sealed = Buffer.concat([Buffer.from([1]), iv, cipher.update(plaintext), cipher.final()]);
    const ciphertext = Buffer.concat([sealed, cipher.getAuthTag()]);
    return { status: 200, json: { name: `${resource}/cryptoKeyVersions/1`, ciphertext: ciphertext.toString("base64"), ciphertextCrc32c: String(crc32c(ciphertext)), verifiedPlaintextCrc32c: body.plaintextCrc32c !== undefined, verifiedAdditionalAuthenticatedDataCrc32c: false, protectionLevel: "SOFTWARE" } };
  }

  function decrypt(resource: string, key: Buffer, body: Record<string, string | undefined>, aad: Buffer): FakeResponse {
    const ciphertext = Buffer.from(body.ciphertext ?? "", "base64");
    if (body.ciphertextCrc32c !== undefined && Number(body.ciphertextCrc32c) !== crc32c(ciphertext)) return googleError("INVALID_ARGUMENT", "The checksum in field ciphertext_crc32c did not match the data in field ciphertext.");
    try {
      if (ciphertext.length < 29 || ciphertext[0] !== 1) throw new Error("short");
      const decipher = createDecipheriv("aes-256-gcm", key, ciphertext.subarray(1, 13)).setAAD(Buffer.concat([Buffer.from(resource), aad]));
      decipher.setAuthTag(ciphertext.subarray(-16));
      const plaintext = Buffer.concat([decipher.update(ciphertext.subarray(13, -16)), decipher.final()]);
      return { status: 200, json: { plaintext: plaintext.toString("base64"), plaintextCrc32c: String(crc32c(plaintext)), usedPrimary: true, protectionLevel: "SOFTWARE" } };
    } catch {
      return googleError("INVALID_ARGUMENT", "Decryption failed: the ciphertext is invalid.");
    }
  }
  return fake;
}
