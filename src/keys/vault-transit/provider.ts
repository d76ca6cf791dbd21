/**
 * The `vault-transit` provider's work (loaded lazily by ../vault-transit.ts): the wrapped key file
 * and the transit calls. The file is JSON naming the mount and the transit key with the
 * ciphertext (`vault:v1:...`), so a file wrapped for another key says so instead of failing
 * obscurely; it is created 0600 without replacing a key (exclusive create) unless asked to.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { HushError } from "../../errors.js";
import { parseFernetKey, type FernetKey } from "../../crypto/fernet.js";
import { writeKeyFileExclusive } from "../../crypto/key-file.js";
import { writeFileAtomic } from "../../fs/atomic-write.js";
import { checkPrivate } from "../../fs/permissions.js";
import { readTrustedFile } from "../../fs/read-trusted-file.js";
import { createVaultClient, interpretReply, type VaultClient } from "../../sources/vault/client.js";
import type { RemoteWhere } from "../../sources/remote/errors.js";
import type { KeyProvider, KeyProviderContext } from "../provider.js";
import type { TransitClientCell, VaultTransitOptions } from "../vault-transit.js";
import { keyFileExists, keyMemo, removeKeyFile } from "../key-memo.js";

const FORMAT = "hush-vault-transit-1";

/** Makes the provider over `options.file`; its Vault client is `shared.client` (made here on first use when there is none yet). */
export function createTransitProvider(options: VaultTransitOptions & { file: string }, context: KeyProviderContext, shared: TransitClientCell = {}): KeyProvider {
  const env = context.env ?? process.env;
  const source = "vault-transit";
  const vault = (): VaultClient => {
    if (shared.client) return shared.client;
    const address = options.address ?? env.VAULT_ADDR;
    if (!address || !/^https?:\/\/[^/\s]+\/?$/.test(address)) throw new HushError("CONFIG_INVALID", `vault-transit: ${address ? "address (or VAULT_ADDR) must be http(s)://host:port" : "no address: set keys.<env>.address in hush.yaml or VAULT_ADDR"}.`);
    const caPath = options.caCert ?? env.VAULT_CACERT;
    const namespace = options.namespace ?? env.VAULT_NAMESPACE;
    return (shared.client = createVaultClient({ address: address.replace(/\/$/, ""), auth: options.auth ?? {}, timeoutMs: options.timeout, maxSockets: 2, source, env, ...(namespace ? { namespace } : {}), ...(caPath ? { ca: readFileSync(resolve(context.root, caPath), "utf8") } : {}) }));
  };
  const where = (op: "encrypt" | "decrypt") => ({ source, operation: op === "decrypt" ? "unwrap of the environment's key" : "wrap of the environment's key", path: `${options.mount}/${op}/${options.keyName}` });
  const memo = keyMemo();

  const unwrap = () => unwrapKey(vault(), options, where("decrypt"), context.environment);

  return {
    type: source,
    location: () => ({ provider: source, where: `${options.mount}/keys/${options.keyName} (wrapped key in ${options.file})`, insideProject: false }),
    async exists() {
      return keyFileExists(options.file);
    },
    load() {
      return memo.get(unwrap);
    },
    async save(key, saveOptions = {}) {
      const parsed = parseFernetKey(key); // MALFORMED_KEY before anything is sent or written
      if (!saveOptions.replace && (await this.exists())) throw new HushError("KEY_EXISTS", `vault-transit: a wrapped key is already stored in ${options.file}.`);
      const raw = Buffer.from(key.trim(), "base64url");
      const reply = await vault().sendJson({ method: "POST", path: `${options.mount}/encrypt/${encodeURIComponent(options.keyName)}`, json: { plaintext: raw.toString("base64") }, where: where("encrypt") });
      raw.fill(0);
      const ciphertext = (reply as { data?: { ciphertext?: unknown } } | undefined)?.data?.ciphertext;
      if (typeof ciphertext !== "string" || !ciphertext.startsWith("vault:")) throw new HushError("BAD_REPLY", "vault-transit: the wrap reply has no data.ciphertext.");
      const text = `${JSON.stringify({ format: FORMAT, mount: options.mount, keyName: options.keyName, environment: context.environment, ciphertext })}\n`;
      mkdirSync(dirname(options.file), { recursive: true, mode: 0o700 });
      checkPrivate(dirname(options.file), "dir", "strict");
      if (saveOptions.replace) await writeFileAtomic(options.file, text, { mode: 0o600 });
      else createExclusive(options.file, text);
      memo.set(parsed);
    },
    async remove() {
      memo.set(undefined);
      return removeKeyFile(options.file, "the wrapped key file");
    },
    async check() {
      try {
        await this.load();
        return { ok: true, detail: `the environment's key unwraps with ${options.mount}/keys/${options.keyName}` };
      } catch (e) {
        const err = e instanceof HushError ? e : new HushError("INTERNAL", "vault-transit: unexpected failure.");
        return { ok: false, detail: `${err.code}: ${err.message}`, problems: [{ message: err.message, fix: err.hint }] };
      }
    },
  };
}

// --- internal ---

/** Reads the wrapped key file and has Vault unwrap it. */
async function unwrapKey(vault: VaultClient, options: VaultTransitOptions & { file: string }, where: RemoteWhere, environment: string): Promise<FernetKey> {
  const stored = readWrapped(options.file, options, environment);
  const reply = await vault.send({ method: "POST", path: `${options.mount}/decrypt/${encodeURIComponent(options.keyName)}`, json: { ciphertext: stored }, where });
  if (reply.status === 400) throw new HushError("WRONG_KEY", `vault-transit: ${options.file} does not open with the transit key ${options.mount}/${options.keyName} (it was wrapped by another key, or altered).`, { hint: "Point keyName at the transit key that wrapped this file, or restore the file from backup." });
  const json = interpretReply(reply, where, () => {
    throw new HushError("CONFIG_INVALID", `vault-transit: no transit engine at ${options.mount} (HTTP 404); check the mount option.`);
  }) as { data?: { plaintext?: unknown } } | undefined;
  const plaintext = json?.data?.plaintext;
  if (typeof plaintext !== "string") throw new HushError("BAD_REPLY", "vault-transit: the unwrap reply has no data.plaintext.");
  const raw = Buffer.from(plaintext, "base64");
  if (raw.length !== 32) throw new HushError("WRONG_KEY", `vault-transit: ${options.file} unwraps to ${raw.length} bytes, not a 32-byte key.`);
  const key = parseFernetKey(`${raw.toString("base64url")}=`);
  raw.fill(0);
  return key;
}

/** The ciphertext of the wrapped key file; KEY_MISSING when there is none, STORE_CORRUPT when it is not one. */
function readWrapped(file: string, options: VaultTransitOptions, environment: string): string {
  checkPrivate(file, "file", "strict");
  const text = readTrustedFile(file, { maxBytes: 64 * 1024, what: "the wrapped key file", source: "vault-transit" });
  if (text === undefined) throw new HushError("KEY_MISSING", `vault-transit: no wrapped key at ${file}.`, { hint: "Create one with `hush init` (keys: vault-transit in hush.yaml), or restore the file from backup." });
  let doc: { format?: unknown; mount?: unknown; keyName?: unknown; environment?: unknown; ciphertext?: unknown };
  try {
    doc = JSON.parse(text.toString("utf8")) as typeof doc;
  } catch {
    throw new HushError("STORE_CORRUPT", `vault-transit: ${file} is not a wrapped key file (not JSON).`);
  }
  if (doc?.format !== FORMAT || typeof doc.ciphertext !== "string" || !/^vault:v\d+:[A-Za-z0-9+/=]+$/.test(doc.ciphertext)) throw new HushError("STORE_CORRUPT", `vault-transit: ${file} is not a wrapped key file.`);
  if (doc.environment !== environment) throw new HushError("WRONG_KEY", `vault-transit: ${file} holds the key of another environment.`);
  if (doc.mount !== options.mount || doc.keyName !== options.keyName) throw new HushError("WRONG_KEY", `vault-transit: ${file} was wrapped with ${String(doc.mount)}/${String(doc.keyName)}, not ${options.mount}/${options.keyName}.`, { hint: "Set mount and keyName in hush.yaml to the transit key that wrapped the file." });
  return doc.ciphertext;
}

/** Creates `path` 0600, failing (KEY_EXISTS) when it exists: never replaces a key unasked. */
function createExclusive(path: string, text: string): void {
  // Temp file + link (src/crypto/key-file.ts): a crash never leaves a partial file under `path`
  // (a re-key's pending key included), and a file already there is kept.
  if (!writeKeyFileExclusive(path, text)) throw new HushError("KEY_EXISTS", `vault-transit: a wrapped key is already stored in ${path}.`);
}
