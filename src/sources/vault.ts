/**
 * The `vault` source: HashiCorp Vault's KV version 2 engine, over Vault's HTTP API (there is no
 * official Node SDK; see src/sources/vault/client.ts). Reads and writes versions with
 * check-and-set, reads a deleted or destroyed latest version as DELETED, lists recursively under
 * `path`, serves multi-field secrets through `secrets.NAME.remote.property`, and reads 50 names
 * with one LIST and one read per distinct key, a few at once. The remote toolkit gives it retries,
 * a TTL cache with `refresh()`, a polling `watch` and, with `offlineCache`, last-known-good copies.
 * With `rotation: true`, `hush rotate` stages a new version marked hush-pending in custom_metadata
 * while reads serve hush-current (./vault/stage.ts, ./vault/marks.ts; docs/vault.md, "Rotation");
 * without it (the default) reads take the latest version and the source cannot stage.
 *
 * ```yaml
 * sources:
 *   - type: vault
 *     options:
 *       address: https://vault.internal:8200   # default: VAULT_ADDR
 *       mount: secret
 *       path: apps/agent
 *       auth: { method: approle, roleId: 4f1c..., secretIdFile: /run/secrets/vault-secret-id }
 * secrets:
 *   openai_api_key: { remote: { key: apps/agent/llm, property: openai } }
 * ```
 */
import { option, type InferOptions } from "../config/options-schema.js";
import { defineSourceType } from "./descriptor.js";
import { durationOption, remoteOptions } from "./remote/options.js";

/** The options schema of the `vault` source. */
export const VAULT_OPTIONS = {
  address: option.string({ description: "Vault's address, `https://host:8200`", docDefault: "VAULT_ADDR" }),
  mount: option.string({ description: "where the KV v2 engine is mounted", default: "secret" }),
  path: option.string({ description: "key prefix under the mount; a secret's key is `<path>/<name>` unless `secrets.NAME.remote` says otherwise" }),
  namespace: option.string({ description: "Vault Enterprise namespace (`X-Vault-Namespace`)", docDefault: "VAULT_NAMESPACE" }),
  caCert: option.path({ description: "PEM file of the CA that signed Vault's certificate, trusted by this source alone (never NODE_EXTRA_CA_CERTS)", docDefault: "VAULT_CACERT" }),
  field: option.string({ description: "the field a plain secret is kept in", default: "value" }),
  concurrency: option.integer({ description: "most requests at once (batch reads, recursive lists)", min: 1, max: 64, default: 8 }),
  rotation: option.boolean({ description: "zero-downtime `hush rotate` on KV v2 versions: reads serve `hush-current` while a staged version is marked `hush-pending` in custom_metadata (docs/vault.md, \"Rotation\")", default: false }),
  watchInterval: durationOption({ description: "how often `watch` (hush run --watch) polls for new versions", default: 30_000, docDefault: "30s" }),
  auth: option.object(
    {
      method: option.choice(["token", "approle", "kubernetes"] as const, { description: "token: VAULT_TOKEN, else ~/.vault-token; approle; kubernetes", default: "token" }),
      roleId: option.string({ description: "AppRole role_id" }),
      secretIdFile: option.path({ description: "AppRole: file holding the secret_id" }),
      secretIdEnv: option.string({ description: "AppRole: variable holding the secret_id", docDefault: "VAULT_SECRET_ID" }),
      role: option.string({ description: "Kubernetes auth: the Vault role" }),
      jwtFile: option.path({ description: "Kubernetes auth: the service-account token file", docDefault: "/var/run/secrets/kubernetes.io/serviceaccount/token" }),
      mount: option.string({ description: "where the auth method is mounted", docDefault: "approle / kubernetes" }),
    },
    { description: "how hush gets its Vault token", docDefault: "token" },
  ),
  ...remoteOptions,
} as const;

/** Options of {@link createVaultSource}, as hush.yaml gives them (durations in ms). */
export type VaultSourceOptions = InferOptions<typeof VAULT_OPTIONS>;

/** The `vault` source type. */
export const vaultSourceType = defineSourceType({
  type: "vault",
  summary: "HashiCorp Vault KV v2 over its HTTP API: versions, check-and-set writes, token/AppRole/Kubernetes auth",
  options: VAULT_OPTIONS,
  // The client and its node:https load only when a project uses Vault (not on `hush run`'s start-up path otherwise).
  create: async (options, context) => (await import("./vault/create.js")).createVaultSource(options, context),
});
