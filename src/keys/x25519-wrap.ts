/**
 * Wrapping an environment's key to a team member's X25519 public key, in the shape of age's
 * X25519 recipient stanza (https://age-encryption.org/v1), on node:crypto:
 *
 * 1. a fresh ephemeral X25519 key pair per wrap;
 * 2. shared = X25519(ephemeral private, recipient public); an all-zero result (a low-order
 *    recipient key) is refused, as age does (OpenSSL refuses it first);
 * 3. wrapKey = HKDF-SHA256(ikm = shared, salt = ephemeral public ‖ recipient public,
 *    info = "hush/v1/X25519", 32 bytes);
 * 4. body = AES-256-GCM(wrapKey, iv, the raw 32-byte environment key) ‖ its 16-byte tag, with
 *    additional data `hush-members\nversion=1\nenvironment=<env>\nrecipient=<recipient public, base64url>`.
 *
 * Differences from age: AES-256-GCM instead of ChaCha20-Poly1305 (node:crypto has both; GCM is the
 * cipher hush uses elsewhere), a random 12-byte IV stored beside the body (age uses a zero nonce,
 * safe because the key is single-use; a random one costs nothing), and the AAD that binds the
 * environment and recipient (age binds the file key to its header by a MAC instead).
 *
 * Public keys are written `hush-x25519:` + the 32 raw bytes in unpadded base64url.
 */
import { createPrivateKey, createPublicKey, createCipheriv, createDecipheriv, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes, type KeyObject } from "node:crypto";
import { HushError } from "../errors.js";
import { toBase64Url } from "./wrap-encoding.js";

/** The prefix of a member's public key text. */
export const MEMBER_PUBLIC_KEY_PREFIX = "hush-x25519:";

/** A member public key's text form. */
export const MEMBER_PUBLIC_KEY_PATTERN = /^hush-x25519:[A-Za-z0-9_-]{43}$/;

/** One wrapped copy of the environment's key. */
export interface X25519Stanza {
  /** The ephemeral public key, 32 bytes. */
  ephemeral: Buffer;
  /** 12 bytes. */
  iv: Buffer;
  /** Ciphertext (32 bytes) ‖ GCM tag (16 bytes). */
  body: Buffer;
}

/** Raw 32 bytes of a public key in text form; throws INVALID_ARGUMENT naming no value. */
export function parseMemberPublicKey(text: string): Buffer {
  const trimmed = text.trim();
  if (!MEMBER_PUBLIC_KEY_PATTERN.test(trimmed)) {
    throw new HushError("INVALID_ARGUMENT", "The public key is not of the form hush-x25519:<43 base64url characters>.", { hint: "Copy the line `hush member keygen` printed on the member's machine." });
  }
  const raw = Buffer.from(trimmed.slice(MEMBER_PUBLIC_KEY_PREFIX.length), "base64url");
  if (raw.length !== 32 || toBase64Url(raw) !== trimmed.slice(MEMBER_PUBLIC_KEY_PREFIX.length)) throw new HushError("INVALID_ARGUMENT", "The public key does not decode to 32 bytes.");
  return raw;
}

/** Text form of raw public key bytes. */
export function formatMemberPublicKey(raw: Buffer): string {
  return MEMBER_PUBLIC_KEY_PREFIX + toBase64Url(raw);
}

/** Raw 32-byte public key of an X25519 KeyObject (public or private). */
export function rawPublicKey(key: KeyObject): Buffer {
  const pub = key.type === "private" ? createPublicKey(key) : key;
  const x = pub.export({ format: "jwk" }).x;
  if (typeof x !== "string") throw new HushError("INTERNAL", "An X25519 public key without its x coordinate.");
  return Buffer.from(x, "base64url");
}

/** Wraps the raw 32-byte `envKey` to `recipient` (raw 32-byte public key) for `environment`. */
export function wrapToRecipient(envKey: Buffer, recipient: Buffer, environment: string): X25519Stanza {
  const ephemeral = generateKeyPairSync("x25519");
  const ephemeralPub = rawPublicKey(ephemeral.publicKey);
  const wrapKey = deriveWrapKey(ephemeral.privateKey, publicKeyObject(recipient), ephemeralPub, recipient);
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", wrapKey, iv);
  cipher.setAAD(additionalData(environment, recipient));
  const body = Buffer.concat([cipher.update(envKey), cipher.final(), cipher.getAuthTag()]);
  wrapKey.fill(0);
  return { ephemeral: ephemeralPub, iv, body };
}

/**
 * Opens a stanza with the member's private key: the raw 32-byte environment key. Throws
 * WRONG_KEY when it does not open (another member's entry, an altered entry, a changed identity).
 */
export function unwrapWithIdentity(stanza: X25519Stanza, identity: KeyObject, environment: string, what: string): Buffer {
  const recipient = rawPublicKey(identity);
  let wrapKey: Buffer | undefined;
  try {
    wrapKey = deriveWrapKey(identity, publicKeyObject(stanza.ephemeral), stanza.ephemeral, recipient);
    const decipher = createDecipheriv("aes-256-gcm", wrapKey, stanza.iv);
    decipher.setAAD(additionalData(environment, recipient));
    decipher.setAuthTag(stanza.body.subarray(32));
    return Buffer.concat([decipher.update(stanza.body.subarray(0, 32)), decipher.final()]);
  } catch (_e) {
    throw new HushError("WRONG_KEY", `Your entry in ${what} does not open with your private key (the entry was altered, or it was made for another key pair).`, {
      hint: "Ask a member to add you again: `hush member add NAME --public-key <your key>`.",
    });
  } finally {
    wrapKey?.fill(0);
  }
}

/** A private key from PKCS#8 PEM text; throws MALFORMED_KEY naming `what` (never the key). */
export function parseIdentity(pem: string, what: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: "pem" });
  } catch (_e) {
    throw new HushError("MALFORMED_KEY", `Malformed member identity ${what}: not a PEM private key.`, { hint: "Restore it from your backup, or make a new one with `hush member keygen` and ask to be added again." });
  }
  if (key.asymmetricKeyType !== "x25519") throw new HushError("MALFORMED_KEY", `Malformed member identity ${what}: not an X25519 key.`);
  return key;
}

// --- internal ---

function deriveWrapKey(privateKey: KeyObject, publicKey: KeyObject, ephemeralPub: Buffer, recipientPub: Buffer): Buffer {
  let shared: Buffer;
  try {
    shared = diffieHellman({ privateKey, publicKey });
  } catch (e) {
    // OpenSSL refuses a low-order point (an all-zero shared secret).
    throw new HushError("INVALID_ARGUMENT", "The X25519 key agreement failed (a low-order or invalid public key).", { cause: e });
  }
  if (shared.every((b) => b === 0)) throw new HushError("INVALID_ARGUMENT", "The public key is a low-order point; it cannot receive a key.");
  const key = Buffer.from(hkdfSync("sha256", shared, Buffer.concat([ephemeralPub, recipientPub]), "hush/v1/X25519", 32));
  shared.fill(0);
  return key;
}

function publicKeyObject(raw: Buffer): KeyObject {
  try {
    return createPublicKey({ key: { kty: "OKP", crv: "X25519", x: toBase64Url(raw) }, format: "jwk" });
  } catch (_e) {
    throw new HushError("INVALID_ARGUMENT", "Not an X25519 public key.");
  }
}

function additionalData(environment: string, recipient: Buffer): Buffer {
  return Buffer.from(`hush-members\nversion=1\nenvironment=${environment}\nrecipient=${toBase64Url(recipient)}`, "utf8");
}
