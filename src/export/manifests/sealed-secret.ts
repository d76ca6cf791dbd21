/**
 * `hush export --format sealed-secret`: a `bitnami.com/v1alpha1 SealedSecret` that the Sealed
 * Secrets controller decrypts, each value sealed as kubeseal seals it (pkg/crypto/crypto.go,
 * `HybridEncrypt`):
 *
 * ```
 * sessionKey = 32 random bytes (one per value)
 * rsa        = RSA-OAEP(SHA-256, controller's public key, sessionKey, label)
 * output     = uint16 big-endian len(rsa) || rsa || AES-256-GCM(sessionKey, nonce = 12 zero bytes, value) (ciphertext || 16-byte tag)
 * ```
 *
 * base64 (standard) in `spec.encryptedData`. The label binds the value to where it may be
 * unsealed: `strict` `<namespace>/<name>`, `namespace-wide` `<namespace>`, `cluster-wide` empty,
 * with the matching `sealedsecrets.bitnami.com/*` annotation. A zero nonce is safe here only
 * because each session key seals one value. Written on node:crypto (no library does this), and
 * tested against an independent decryptor.
 */
import { X509Certificate, constants, createCipheriv, publicEncrypt, randomBytes, type KeyObject } from "node:crypto";
import { HushError } from "../../errors.js";
import type { SecretRecord } from "../../types.js";
import { assertTarget, metadataOf, secretData, type ManifestTarget } from "./k8s-secret.js";
import { toYaml } from "./yaml.js";

/** Where a sealed value may be unsealed. */
export type SealingScope = "strict" | "namespace-wide" | "cluster-wide";
export const SEALING_SCOPES: readonly SealingScope[] = ["strict", "namespace-wide", "cluster-wide"];

/** The RSA-OAEP label of a scope. */
export function sealingLabel(scope: SealingScope, namespace: string, name: string): Buffer {
  return Buffer.from(scope === "cluster-wide" ? "" : scope === "namespace-wide" ? namespace : `${namespace}/${name}`, "utf8");
}

/** Seals one value (kubeseal's hybrid encryption); base64. */
export function sealValue(publicKey: KeyObject, value: Buffer, label: Buffer): string {
  const sessionKey = randomBytes(32);
  const rsa = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256", oaepLabel: label }, sessionKey);
  const cipher = createCipheriv("aes-256-gcm", sessionKey, Buffer.alloc(12));
  const body = Buffer.concat([cipher.update(value), cipher.final(), cipher.getAuthTag()]);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(rsa.length);
  return Buffer.concat([length, rsa, body]).toString("base64");
}

/** The controller's RSA public key from its certificate (`kubeseal --fetch-cert`), PEM text. */
export function controllerKey(certPem: string, what: string): KeyObject {
  let key: KeyObject;
  try {
    key = new X509Certificate(certPem).publicKey;
  } catch {
    throw new HushError("INVALID_ARGUMENT", `${what} is not a PEM certificate; fetch the controller's with \`kubeseal --fetch-cert > cert.pem\`.`);
  }
  if (key.asymmetricKeyType !== "rsa") throw new HushError("INVALID_ARGUMENT", `${what} does not hold an RSA key; Sealed Secrets controllers use RSA.`);
  return key;
}

/** The SealedSecret manifest as YAML. `namespace` is required: the strict and namespace-wide labels hold it. */
export function formatSealedSecret(records: readonly SecretRecord[], target: ManifestTarget, certPem: string, scope: SealingScope, certWhat = "--cert"): string {
  assertTarget(target);
  if (target.namespace === undefined && scope !== "cluster-wide") throw new HushError("INVALID_ARGUMENT", "--namespace is required to seal (the value is bound to it); or use --scope cluster-wide.");
  const key = controllerKey(certPem, certWhat);
  const label = sealingLabel(scope, target.namespace ?? "", target.name);
  const encryptedData = Object.fromEntries(Object.entries(secretData(records)).map(([k, b64]) => [k, sealValue(key, Buffer.from(b64, "base64"), label)]));
  const annotations = scope === "strict" ? undefined : { [`sealedsecrets.bitnami.com/${scope}`]: "true" };
  const metadata = metadataOf(target, annotations);
  return toYaml({
    apiVersion: "bitnami.com/v1alpha1",
    kind: "SealedSecret",
    metadata,
    spec: { encryptedData, template: { metadata, type: "Opaque" } },
  });
}
