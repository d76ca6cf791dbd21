/**
 * The shape of `hush.yaml` once validated (see docs/config.md), and what `loadConfig` returns.
 * Everything here is plain data: no values of secrets, only names and policies.
 */
import type { AuditMode } from "../types.js";
import type { GatewayConfig } from "../gateway/config-types.js";

/** Rotation-policy type of a secret (DESIGN: "Policy"). */
export type SecretType = "llm-api-key" | "database-password" | "service-account" | "tls-certificate" | "generic";

/** Every secret type, in documentation order. */
export const SECRET_TYPES: readonly SecretType[] = ["llm-api-key", "database-password", "service-account", "tls-certificate", "generic"];

/**
 * Default rotation period of each type, in days. `undefined`: no fixed period (TLS certificates
 * rotate before their expiry; generic secrets have no default).
 */
export const DEFAULT_ROTATION_DAYS: Readonly<Record<SecretType, number | undefined>> = {
  "llm-api-key": 90,
  "database-password": 30,
  "service-account": 90,
  "tls-certificate": undefined,
  generic: undefined,
};

/** One entry of `sources:`. */
export interface SourceConfig {
  /** A type in the source registry (src/sources/registry.ts): `env`, `dotenv`, `local`, `mallku` or a registered one. */
  type: string;
  /** Type-specific options as written, validated against the type's schema (defaults are filled in when the chain is built). */
  options: Record<string, unknown>;
}

/**
 * One entry of `keys:`: where an environment's key lives (docs/keys.md).
 * `keys: { prod: { provider: aws-kms, keyId: ... } }` is `{ provider: "aws-kms", options: { keyId: ... } }`.
 */
export interface KeyConfig {
  /** A type in the key-provider registry (src/keys/registry.ts): `file`, `user`, `env` or a registered one. */
  provider: string;
  /** The provider's options as written (every key of the entry but `provider`), validated against its schema. */
  options: Record<string, unknown>;
}

/** One entry of `secrets:`, under its canonical name. */
export interface SecretPolicy {
  /** `hush check` fails while nothing provides it. @default false */
  required: boolean;
  /** Rotation-policy type. @default "generic" */
  type: SecretType;
  description?: string;
  owner?: string;
  /** The period as written (`90d`, `12w`, `never`), when given. */
  rotation?: string;
  /** Effective rotation period in days: `rotation`, else the type's default; undefined = none. */
  rotationDays?: number;
  /** Where the secret lives in a remote source (the mapping model of External Secrets Operator). */
  remote?: RemoteRef;
  /** How `hush rotate` makes and applies a new value (docs/rotation.md). */
  rotator?: RotatorConfig;
}

/**
 * `secrets.NAME.rotator` in hush.yaml: `{ type: random, length: 48 }` is
 * `{ type: "random", options: { length: 48 } }`, the options validated against the type's schema
 * (src/rotation/registry.ts).
 */
export interface RotatorConfig {
  /** A type in the rotator registry: `random`, `command`, `llm-key`, `tls-certificate` or a registered one. */
  type: string;
  /** Every key of the entry but `type`, as written (defaults are filled in when the rotator is made). */
  options: Record<string, unknown>;
}

/**
 * `secrets.NAME.remote` in hush.yaml: where a remote source (vault, aws, gcp, kubernetes) keeps
 * the secret. Without it, the key is the secret's name under the source's `path` prefix. The same
 * entries feed `hush export --format external-secret` (`data[].remoteRef`).
 */
export interface RemoteRef {
  /** The remote key: a Vault path under the mount, an AWS/Google secret name, a Kubernetes Secret's name. */
  key: string;
  /** A field of a JSON value, of a multi-field Vault secret, or a Kubernetes Secret's data key. */
  property?: string;
  /** A version number, id, stage (`AWSCURRENT`) or alias; the latest when absent. */
  version?: string;
}

/** Audit settings besides the mode. */
export interface AuditSettings {
  /** Roll-up window of cached reads, in ms; 0: one record per cached read. @default 60000 */
  rollupWindowMs?: number;
  /** Where records go: the JSONL file, the postgres source's database, or both. @default ["jsonl"] */
  sinks?: AuditSinkName[];
}

/** An audit sink hush.yaml can name. */
export type AuditSinkName = "jsonl" | "postgres";

/** A validated hush.yaml. */
export interface HushConfig {
  version: 1;
  /** Default environment when neither `--env` nor HUSH_ENV is given. */
  environment?: string;
  /** The environments this project uses; when set, any other is refused. */
  environments?: string[];
  /** The project's id (`project:`): names the `user` provider's key folder. Written by `hush init`. */
  project?: string;
  /**
   * Key provider per environment. An environment without an entry uses its key file in the
   * secrets folder when there is one (`file`), else `user` when `project` is set, else `file`.
   */
  keys?: Record<string, KeyConfig>;
  /** The audit trail's mode, or `off` (no audit log). @default "best-effort" */
  audit: AuditMode | "off";
  /** The rest of `audit:` when written as a mapping (`audit: { mode: required, rollupWindow: 60s }`). */
  auditSettings?: AuditSettings;
  /** The chain in order; undefined means the default chain. */
  sources?: SourceConfig[];
  /** Declared secrets by canonical name, in file order. */
  secrets: Record<string, SecretPolicy>;
  /** `hush scan` settings kept with the project. */
  scan?: ScanConfig;
  /** `hush gateway`'s routes (docs/gateway.md). */
  gateway?: GatewayConfig;
}

/** `scan:` in hush.yaml: allow-lists the whole team shares (flags and hush:allow comments add to them). */
export interface ScanConfig {
  allow: {
    /** gitignore-style patterns, relative to the folder the scan runs from (as `.hushignore`). */
    paths?: string[];
    /** Pattern rule ids switched off (`hush scan --json` shows a finding's rule id). */
    rules?: string[];
    /** Managed secrets whose values are not looked for. */
    secrets?: string[];
  };
}

/** Where the environment came from, for `hush doctor`. */
export type EnvironmentOrigin = "flag" | "HUSH_ENV" | "config" | "default";

/** What {@link loadConfig} returns. */
export interface LoadedConfig {
  /** Absolute path of the hush.yaml used; undefined when none was found. */
  path?: string;
  /** Project folder: the folder of hush.yaml, else the working directory. */
  root: string;
  config: HushConfig;
  /** The environment in effect. */
  environment: string;
  environmentOrigin: EnvironmentOrigin;
}

/** One problem found in hush.yaml. `path` is like `sources[2].options.address` ("" for the file). */
export interface ConfigProblem {
  path: string;
  message: string;
  /** 1-based line in hush.yaml, when known. */
  line?: number;
}
