/**
 * The `vault-transit` key provider: envelope mode over Vault's transit engine. The environment's
 * key is kept in the secrets folder only wrapped (`<env>.key.vault-transit`: the transit
 * ciphertext, 0600), and Vault unwraps it once per process (`transit/decrypt/<keyName>`); the
 * transit key itself never leaves Vault. Without Vault and a token allowed to decrypt, the file
 * opens nothing, so a copied project folder leaks no key.
 *
 * ```yaml
 * keys:
 *   prod: { provider: vault-transit, keyName: hush-prod, auth: { method: kubernetes, role: agent } }
 * ```
 *
 * Errors: a denied decrypt is ACCESS_DENIED, an unreachable or sealed Vault SOURCE_UNAVAILABLE, a
 * file wrapped under another transit key WRONG_KEY, a damaged file STORE_CORRUPT; none of them is
 * "no key", and none holds the key or the token. Vault's HTTP API is the interface (no official
 * Node SDK): the `vault` source's client, loaded only when a key is loaded or saved.
 */
import { join } from "node:path";
import { option, type InferOptions } from "../config/options-schema.js";
import { VAULT_OPTIONS } from "../sources/vault.js";
import type { VaultClient } from "../sources/vault/client.js";
import { defineKeyProviderType, type KeyProvider, type KeyProviderContext } from "./provider.js";

/** The options schema of the `vault-transit` provider. */
export const VAULT_TRANSIT_OPTIONS = {
  address: VAULT_OPTIONS.address,
  namespace: VAULT_OPTIONS.namespace,
  caCert: VAULT_OPTIONS.caCert,
  auth: VAULT_OPTIONS.auth,
  timeout: VAULT_OPTIONS.timeout,
  mount: option.string({ description: "where the transit engine is mounted", default: "transit" }),
  keyName: option.string({ description: "the transit key that wraps the environment's key", default: "hush" }),
  file: option.path({ description: "the wrapped key file", docDefault: "<secrets folder>/<env>.key.vault-transit" }),
} as const;

/** Options of the `vault-transit` provider (durations in ms). */
export type VaultTransitOptions = InferOptions<typeof VAULT_TRANSIT_OPTIONS>;

/** The `vault-transit` key provider type. */
export const vaultTransitKeyProviderType = defineKeyProviderType({
  type: "vault-transit",
  summary: "the key wrapped by Vault's transit engine, in a file of the secrets folder; unwrapped once per process",
  options: VAULT_TRANSIT_OPTIONS,
  create: (options, context) => createVaultTransitKeyProvider(options, context),
});

/**
 * The Vault client a provider shares with the providers its `wrappedKeyFile().at()` makes (the
 * pending key of `hush key rotate`), and, when it logs in (AppRole, Kubernetes), with every
 * provider of this process that reaches the same Vault the same way: one client, so one login
 * and one token (renewed, or replaced by a new login, by the client as its lease runs out; kept
 * in memory only) where each provider used to log in. Filled on the first call that reaches Vault.
 */
export interface TransitClientCell {
  client?: VaultClient;
}

/** Makes the provider; nothing is read or sent before `load`, `save` or `exists`. */
export function createVaultTransitKeyProvider(options: VaultTransitOptions, context: KeyProviderContext): KeyProvider {
  return transitKeyProvider(options, context, clientCellOf(options, context));
}

// --- internal ---

/**
 * Cells of the clients that log in, per process: by the variables object (as the key providers
 * are kept: src/keys/environment-key.ts) and by what the client is made of. They outlive
 * `forgetEnvironmentKeys` (a re-key, an interrupted rotation settled): a client holds a token,
 * never a key. A given token (`method: token`) costs no login: its cell is the provider's own.
 */
const loginClients = new WeakMap<NodeJS.ProcessEnv, Map<string, TransitClientCell>>();

function clientCellOf(options: VaultTransitOptions, context: KeyProviderContext): TransitClientCell {
  if ((options.auth?.method ?? "token") === "token") return {};
  const env = context.env ?? process.env;
  const signature = JSON.stringify([options.address ?? env.VAULT_ADDR, options.namespace ?? env.VAULT_NAMESPACE, options.caCert ?? env.VAULT_CACERT, context.root, options.auth, options.timeout]);
  let cells = loginClients.get(env);
  if (!cells) loginClients.set(env, (cells = new Map()));
  let cell = cells.get(signature);
  if (!cell) cells.set(signature, (cell = {}));
  return cell;
}

function transitKeyProvider(options: VaultTransitOptions, context: KeyProviderContext, shared: TransitClientCell): KeyProvider {
  const file = options.file ?? join(context.secretsDir, `${context.environment}.key.vault-transit`);
  const address = options.address ?? (context.env ?? process.env).VAULT_ADDR ?? "(VAULT_ADDR)";
  let inner: Promise<KeyProvider> | undefined;
  const impl = () => (inner ??= import("./vault-transit/provider.js").then((m) => m.createTransitProvider({ ...options, file }, context, shared)));
  return {
    type: "vault-transit",
    location: () => ({ provider: "vault-transit", where: `${address}/v1/${options.mount}/keys/${options.keyName} (wrapped key in ${file})`, insideProject: false }),
    exists: async () => (await impl()).exists(),
    load: async () => (await impl()).load(),
    save: async (key, saveOptions) => (await impl()).save(key, saveOptions),
    remove: async () => (await impl()).remove!(),
    check: async () => (await impl()).check!(),
    // A provider over another file (the pending key): its own memo (a real unwrap), the same client and token.
    wrappedKeyFile: () => ({ path: file, at: (other) => transitKeyProvider({ ...options, file: other }, context, shared) }),
  };
}
