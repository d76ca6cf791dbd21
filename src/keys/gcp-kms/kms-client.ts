/**
 * The Cloud KMS calls of the `gcp-kms` key provider: `encrypt` and `decrypt` through the official
 * SDK (`@google-cloud/kms`, imported on first use, REST mode, Application Default Credentials),
 * with CRC32C checks both ways (Google's integrity guidance), the `gcp` source's timeout, bounded
 * retries and status mapping, and the denials worded for KMS.
 */
import { HushError } from "../../errors.js";
import { callGoogle, type CallSettings } from "../../sources/gcp/call.js";
import { endpointSettings } from "../../sources/gcp/client.js";
import { crc32c } from "../../sources/gcp/crc32c.js";
import { remoteError, type RemoteWhere } from "../../sources/remote/errors.js";

/** The two calls, as the SDK types them (narrowed). */
interface KmsApi {
  encrypt(request: object, options?: object): Promise<[{ ciphertext?: Uint8Array | string | null; verifiedPlaintextCrc32c?: boolean | null; verifiedAdditionalAuthenticatedDataCrc32c?: boolean | null }, ...unknown[]]>;
  decrypt(request: object, options?: object): Promise<[{ plaintext?: Uint8Array | string | null; plaintextCrc32c?: { value?: number | string | { toString(): string } | null } | null }, ...unknown[]]>;
  close(): Promise<void>;
}

/** How to reach Cloud KMS. */
export interface KmsSettings extends CallSettings {
  keyName: string;
  endpoint?: string;
  env: NodeJS.ProcessEnv;
}

/** A lazily made client: `wrap` and `unwrap` bound to one crypto key and one environment (the AAD). */
export interface KmsWrapper {
  wrap(plaintext: Buffer, aad: Buffer): Promise<Buffer>;
  unwrap(ciphertext: Buffer, aad: Buffer): Promise<Buffer>;
  close(): Promise<void>;
}

/** Makes the wrapper; the SDK is loaded on the first call. */
export function createKmsWrapper(settings: KmsSettings): KmsWrapper {
  let api: Promise<KmsApi> | undefined;
  const client = () => (api ??= load(settings).catch((e: unknown) => ((api = undefined), Promise.reject(e))));
  const where = (operation: string): RemoteWhere => ({ source: "gcp-kms", operation, path: settings.keyName });
  const options = { retry: null, timeout: settings.timeoutMs };
  return {
    async wrap(plaintext, aad) {
      const kms = await client();
      const request = { name: settings.keyName, plaintext, plaintextCrc32c: { value: crc32c(plaintext) }, additionalAuthenticatedData: aad, additionalAuthenticatedDataCrc32c: { value: crc32c(aad) } };
      const r = await callGoogle(settings, where("encrypt"), () => kms.encrypt(request, options), { expected: DENIALS });
      if (!r.ok) throw denial(r.status, where("encrypt"), settings.keyName, "roles/cloudkms.cryptoKeyEncrypter");
      const reply = r.value[0];
      if (reply.verifiedPlaintextCrc32c !== true) throw remoteError("STORE_CORRUPT", "gcp-kms: Cloud KMS did not confirm the plaintext's CRC32C; the key was not wrapped.", where("encrypt"));
      return bytes(reply.ciphertext);
    },
    async unwrap(ciphertext, aad) {
      const kms = await client();
      const request = { name: settings.keyName, ciphertext, ciphertextCrc32c: { value: crc32c(ciphertext) }, additionalAuthenticatedData: aad, additionalAuthenticatedDataCrc32c: { value: crc32c(aad) } };
      const r = await callGoogle(settings, where("decrypt"), () => kms.decrypt(request, options), { expected: [...DENIALS, "INVALID_ARGUMENT"] as const });
      if (!r.ok && r.status === "INVALID_ARGUMENT") {
        throw remoteError("WRONG_KEY", `gcp-kms: ${settings.keyName} does not open the wrapped key (Cloud KMS: decryption failed).`, where("decrypt"), { hint: "The file was wrapped by another crypto key or for another environment; restore the file that goes with this key, or set keyName to the key that wrapped it." });
      }
      if (!r.ok) throw denial(r.status, where("decrypt"), settings.keyName, "roles/cloudkms.cryptoKeyDecrypter");
      const plaintext = bytes(r.value[0].plaintext);
      const sent = r.value[0].plaintextCrc32c?.value;
      if (sent !== undefined && sent !== null && Number(typeof sent === "object" ? sent.toString() : sent) !== crc32c(plaintext)) {
        throw remoteError("STORE_CORRUPT", "gcp-kms: the unwrapped key failed its CRC32C check; it was not used.", where("decrypt"), { hint: "Try again; if it persists, report it to Google Cloud support." });
      }
      return plaintext;
    },
    async close() {
      const p = api;
      api = undefined;
      if (p) await p.then((k) => k.close()).catch(() => undefined);
    },
  };
}

// --- internal ---

const DENIALS = ["PERMISSION_DENIED", "UNAUTHENTICATED", "NOT_FOUND", "FAILED_PRECONDITION"] as const;

async function load(settings: KmsSettings): Promise<KmsApi> {
  let sdk: typeof import("@google-cloud/kms");
  try {
    sdk = await import("@google-cloud/kms");
  } catch (e) {
    throw new HushError("MISSING_DEPENDENCY", "The gcp-kms key provider needs the Cloud KMS SDK: npm install @google-cloud/kms", { cause: e });
  }
  const keyFilename = settings.env.GOOGLE_APPLICATION_CREDENTIALS;
  return new sdk.KeyManagementServiceClient({ fallback: true, ...endpointSettings(settings.endpoint, undefined), ...(keyFilename ? { keyFilename } : {}) } as never) as unknown as KmsApi;
}

function denial(status: string, where: RemoteWhere, keyName: string, role: string): HushError {
  const [, project, location, ring, key] = /^projects\/([^/]+)\/locations\/([^/]+)\/keyRings\/([^/]+)\/cryptoKeys\/(.+)$/.exec(keyName) ?? [];
  const grant = `gcloud kms keys add-iam-policy-binding ${key} --keyring=${ring} --location=${location} --project=${project} --member=MEMBER --role=${role}`;
  if (status === "NOT_FOUND") return remoteError("ACCESS_DENIED", `gcp-kms: ${keyName} was not found, or the caller may not see it (NOT_FOUND).`, where, { hint: `Check keyName in hush.yaml; then: ${grant}` });
  if (status === "FAILED_PRECONDITION") return remoteError("ACCESS_DENIED", `gcp-kms: ${keyName} cannot be used now (disabled or destroyed version: FAILED_PRECONDITION).`, where, { hint: "Enable the key's primary version in Cloud KMS (gcloud kms keys versions enable)." });
  if (status === "UNAUTHENTICATED") return remoteError("ACCESS_DENIED", `gcp-kms: ${where.operation} with ${keyName} was refused: the credentials are missing, expired or invalid (UNAUTHENTICATED).`, where, { hint: "Run `gcloud auth application-default login`, or check GOOGLE_APPLICATION_CREDENTIALS / the workload identity binding." });
  return remoteError("ACCESS_DENIED", `gcp-kms: ${where.operation} with ${keyName} was denied (PERMISSION_DENIED).`, where, { hint: grant });
}

function bytes(data: Uint8Array | string | null | undefined): Buffer {
  return typeof data === "string" ? Buffer.from(data, "base64") : Buffer.from(data ?? new Uint8Array(0));
}
