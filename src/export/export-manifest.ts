/**
 * `hush export --format k8s-secret | external-secret | sealed-secret` as a library call: the
 * Kubernetes manifests of a project's secrets (./manifests/). `k8s-secret` holds the values
 * (base64); `sealed-secret` holds them sealed for one controller's certificate; `external-secret`
 * holds no value at all, only where each secret lives (hush.yaml's mapping model).
 *
 * @example
 * const { text } = await exportManifest(configured, { format: "sealed-secret", name: "agent", namespace: "prod", cert: "cert.pem" });
 */
import { resolve } from "node:path";
import { HushError } from "../errors.js";
import { readTrustedFile } from "../fs/read-trusted-file.js";
import type { ConfiguredManager } from "../config/open.js";
import { strictExportCode, writePrivateFile, type ExportResult } from "./export-secrets.js";
import { assertTarget, formatK8sSecret, type ManifestTarget } from "./manifests/k8s-secret.js";
import { controllerKey, formatSealedSecret, type SealingScope } from "./manifests/sealed-secret.js";
import { formatExternalSecret, type ExternalSecretOptions } from "./manifests/external-secret.js";
import type { ResolveIssue, SecretRecord } from "../types.js";

export { SEALING_SCOPES, type SealingScope } from "./manifests/sealed-secret.js";
export { STORE_TYPES } from "./manifests/external-secret.js";

/** The manifest formats. */
export type ManifestFormat = "k8s-secret" | "external-secret" | "sealed-secret";
export const MANIFEST_FORMATS: readonly ManifestFormat[] = ["k8s-secret", "external-secret", "sealed-secret"];

/** Options of {@link exportManifest}. */
export interface ExportManifestOptions extends ManifestTarget, Omit<ExternalSecretOptions, keyof ManifestTarget | "environment"> {
  format: ManifestFormat;
  /** Throw (exporting nothing) when any name cannot be resolved (k8s-secret, sealed-secret). @default false */
  strict?: boolean;
  /** Write to this file (0600, atomic) instead of returning it only. */
  output?: string;
  /** sealed-secret: the controller's certificate file (`kubeseal --fetch-cert > cert.pem`). */
  cert?: string;
  /** sealed-secret: where it may be unsealed. @default "strict" */
  scope?: SealingScope;
  onIssue?: (issue: ResolveIssue) => void;
}

/** Resolves what the format needs and formats it. */
export async function exportManifest(configured: ConfiguredManager, options: ExportManifestOptions): Promise<ExportResult> {
  const target: ManifestTarget = { name: options.name, namespace: options.namespace, labels: options.labels };
  assertTarget(target); // before any value is resolved: a typo costs no secret access
  let text: string;
  let names: string[];
  let issues: ResolveIssue[] = [];
  if (options.format === "external-secret") {
    text = formatExternalSecret(configured.loaded.config, { ...options, ...target, environment: configured.loaded.environment });
    names = options.only ?? Object.keys(configured.loaded.config.secrets ?? {});
  } else {
    // Read the certificate before any value is resolved: a wrong path costs no secret access.
    const cert = options.format === "sealed-secret" ? readCert(options.cert) : undefined;
    if (cert !== undefined) {
      controllerKey(cert, options.cert!); // a file that is not a certificate is refused here, as is:
      if (target.namespace === undefined && options.scope !== "cluster-wide") throw new HushError("INVALID_ARGUMENT", "--namespace is required to seal (the value is bound to it); or use --scope cluster-wide.");
    }
    const resolved = await configured.manager.resolve(options.only);
    issues = resolved.issues;
    for (const issue of issues) options.onIssue?.(issue);
    if (options.strict && issues.length > 0) throw new HushError(strictExportCode(issues), `${issues.length} secret(s) could not be resolved; nothing exported.`);
    const records: SecretRecord[] = Object.values(resolved.secrets);
    names = records.map((r) => r.name);
    text = cert === undefined ? formatK8sSecret(records, target) : formatSealedSecret(records, target, cert, options.scope ?? "strict", options.cert);
  }
  const result: ExportResult = { text, names, issues };
  if (options.output !== undefined) {
    result.path = resolve(options.output);
    await writePrivateFile(result.path, text);
  }
  return result;
}

// --- internal ---

function readCert(path: string | undefined): string {
  if (path === undefined) throw new HushError("INVALID_ARGUMENT", "--format sealed-secret needs --cert FILE: the controller's certificate (`kubeseal --fetch-cert > cert.pem`).");
  const bytes = readTrustedFile(resolve(path), { maxBytes: 64 * 1024, what: "the certificate" });
  if (bytes === undefined) throw new HushError("INVALID_ARGUMENT", `--cert ${path} does not exist.`);
  return bytes.toString("utf8");
}
