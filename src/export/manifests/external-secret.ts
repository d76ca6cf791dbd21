/**
 * `hush export --format external-secret`: an External Secrets Operator `ExternalSecret`
 * (external-secrets.io/v1) whose `data[].remoteRef {key, property, version}` come from hush's
 * mapping model (`secrets.NAME.remote`, else `<path>/<name>` of the store's source), and, with
 * `withStore`, the `SecretStore` / `ClusterSecretStore` for the configured vault, aws or gcp
 * source, read from its options in hush.yaml. No values at all: safe to commit.
 */
import { HushError } from "../../errors.js";
import { envName } from "../../names.js";
import type { HushConfig, SourceConfig } from "../../config/types.js";
import { assertTarget, metadataOf, type ManifestTarget } from "./k8s-secret.js";
import { toYaml, type YamlValue } from "./yaml.js";

/** Options of {@link formatExternalSecret}. */
export interface ExternalSecretOptions extends ManifestTarget {
  /** Names to sync. @default every name under `secrets:` in hush.yaml */
  only?: string[];
  /** How often ESO re-reads the backend. @default "1h" */
  refreshInterval?: string;
  /** The store's name. @default `hush-<source type>` */
  storeName?: string;
  /** @default "SecretStore" */
  storeKind?: "SecretStore" | "ClusterSecretStore";
  /** Also print the store for the source. @default false */
  withStore?: boolean;
  /** Which source backs the store: a type in hush.yaml's `sources:`. @default the first vault, aws or gcp source */
  storeSource?: string;
  /** The Kubernetes service account ESO authenticates as (Vault Kubernetes auth, IRSA, workload identity). */
  serviceAccount?: string;
  /** The environment (for `{env}` in an aws path). */
  environment: string;
  /** VAULT_ADDR and friends when hush.yaml leaves them out. */
  env?: NodeJS.ProcessEnv;
}

/** The store types hush can describe. */
export const STORE_TYPES = ["vault", "aws", "gcp"] as const;

/** The ExternalSecret (and, with `withStore`, its store first) as YAML; documents separated by `---`. */
export function formatExternalSecret(config: HushConfig, options: ExternalSecretOptions): string {
  assertTarget(options);
  const source = storeSourceOf(config, options.storeSource);
  const names = options.only ?? Object.keys(config.secrets ?? {});
  if (names.length === 0) throw new HushError("INVALID_ARGUMENT", "Nothing to sync: declare the secrets under `secrets:` in hush.yaml (with `remote:` where they live), or give --only.");
  const storeName = options.storeName ?? `hush-${source?.type ?? "store"}`;
  const data = [...names].sort((a, b) => envName(a).localeCompare(envName(b))).map((name) => ({ secretKey: envName(name), remoteRef: remoteRefOf(name, config, source, options.environment) }));
  const externalSecret = toYaml({
    apiVersion: "external-secrets.io/v1",
    kind: "ExternalSecret",
    metadata: metadataOf(options),
    spec: {
      refreshInterval: options.refreshInterval ?? "1h",
      secretStoreRef: { name: storeName, kind: options.storeKind ?? "SecretStore" },
      target: { name: options.name, creationPolicy: "Owner" },
      data,
    },
  });
  if (!options.withStore) return externalSecret;
  if (!source) throw new HushError("INVALID_ARGUMENT", "--with-store needs a vault, aws or gcp source in hush.yaml's `sources:`.");
  const kind = options.storeKind ?? "SecretStore";
  const store = toYaml({
    apiVersion: "external-secrets.io/v1",
    kind,
    metadata: { name: storeName, namespace: kind === "SecretStore" ? options.namespace : undefined, labels: metadataOf(options).labels },
    spec: { provider: providerOf(source, options) },
  });
  return `${store}---\n${externalSecret}`;
}

// --- internal ---

function storeSourceOf(config: HushConfig, type: string | undefined): SourceConfig | undefined {
  if (type !== undefined && !(STORE_TYPES as readonly string[]).includes(type)) throw new HushError("INVALID_ARGUMENT", `--store-source must be one of ${STORE_TYPES.join(", ")}.`);
  const found = (config.sources ?? []).find((s) => (type === undefined ? (STORE_TYPES as readonly string[]).includes(s.type) : s.type === type));
  if (type !== undefined && !found) throw new HushError("INVALID_ARGUMENT", `hush.yaml has no ${type} source for --store-source.`);
  return found;
}

/** `remoteRef` of a name: its `remote` entry, else the name under the source's prefix. */
function remoteRefOf(name: string, config: HushConfig, source: SourceConfig | undefined, environment: string): { [key: string]: string } {
  const ref = config.secrets?.[name]?.remote;
  const o = source?.options ?? {};
  // hush keeps a plain Vault secret in one field (`field`, default `value`); ESO without a
  // property would hand over the whole JSON of the secret instead of that field.
  const field = source?.type === "vault" ? (str(o.field) ?? "value") : undefined;
  if (ref) {
    const property = ref.property ?? field;
    return { key: ref.key, ...(property !== undefined ? { property } : {}), ...(ref.version !== undefined ? { version: String(ref.version) } : {}) };
  }
  if (source?.type === "gcp") return { key: `${str(o.prefix) ?? ""}${name}` };
  const prefix = str(o.path)?.replace(/\{env\}/g, environment).replace(/^\/+|\/+$/g, "");
  return { key: prefix ? `${prefix}/${name}` : name, ...(field !== undefined ? { property: field } : {}) };
}

/** `spec.provider` for the source, from its hush.yaml options. */
function providerOf(source: SourceConfig, options: ExternalSecretOptions): { [key: string]: YamlValue | undefined } {
  const o = source.options;
  const sa = options.serviceAccount ? { name: options.serviceAccount } : undefined;
  if (source.type === "vault") {
    const auth = (o.auth ?? {}) as Record<string, unknown>;
    const server = str(o.address) ?? options.env?.VAULT_ADDR;
    if (!server) throw new HushError("INVALID_ARGUMENT", "The vault source has no `address` (and VAULT_ADDR is not set): the SecretStore needs Vault's address.");
    const kubernetes = auth.method === "kubernetes" || sa ? { mountPath: str(auth.mount) ?? "kubernetes", role: str(auth.role) ?? "hush", serviceAccountRef: sa } : undefined;
    return {
      vault: {
        server,
        path: str(o.mount) ?? "secret",
        version: "v2",
        namespace: str(o.namespace),
        auth: kubernetes ? { kubernetes } : { tokenSecretRef: { name: "vault-token", key: "token" } },
      },
    };
  }
  if (source.type === "aws") {
    const region = str(o.region) ?? options.env?.AWS_REGION;
    if (!region) throw new HushError("INVALID_ARGUMENT", "The aws source has no `region` (and AWS_REGION is not set): the SecretStore needs it.");
    return { aws: { service: "SecretsManager", region, auth: sa ? { jwt: { serviceAccountRef: sa } } : undefined } };
  }
  const projectID = str(o.project) ?? options.env?.GOOGLE_CLOUD_PROJECT;
  if (!projectID) throw new HushError("INVALID_ARGUMENT", "The gcp source has no `project` (and GOOGLE_CLOUD_PROJECT is not set): the SecretStore needs it.");
  return { gcpsm: { projectID, location: str(o.location), auth: sa ? { workloadIdentity: { serviceAccountRef: sa } } : undefined } };
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}
