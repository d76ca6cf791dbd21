/**
 * `hush export --format k8s-secret`: a `v1 Secret` (type Opaque) holding the resolved values,
 * base64 in `data` under their env-var names (so `envFrom` and `secretKeyRef` read them as the
 * app expects), ready for `kubectl apply -f -`. It holds the values: print it only where it goes.
 */
import { HushError } from "../../errors.js";
import { envName } from "../../names.js";
import type { SecretRecord } from "../../types.js";
import { toYaml } from "./yaml.js";

/** Where a manifest goes in the cluster. */
export interface ManifestTarget {
  /** The object's name (a DNS subdomain). */
  name: string;
  /** The namespace (a DNS label); omitted from the manifest when absent (kubectl's current one). */
  namespace?: string;
  /** `metadata.labels`. */
  labels?: Record<string, string>;
}

/** The Secret's data: env-var name -> base64 of the UTF-8 value, sorted by name. */
export function secretData(records: readonly SecretRecord[]): Record<string, string> {
  const sorted = [...records].sort((a, b) => envName(a.name).localeCompare(envName(b.name)));
  return Object.fromEntries(sorted.map((r) => [envName(r.name), Buffer.from(r.value, "utf8").toString("base64")]));
}

/** The Secret manifest as YAML. */
export function formatK8sSecret(records: readonly SecretRecord[], target: ManifestTarget): string {
  assertTarget(target);
  return toYaml({ apiVersion: "v1", kind: "Secret", metadata: metadataOf(target), type: "Opaque", data: secretData(records) });
}

/** `metadata` of a manifest: name, namespace, labels (and annotations when given). */
export function metadataOf(target: ManifestTarget, annotations?: Record<string, string>): { [key: string]: string | Record<string, string> | undefined } {
  return { name: target.name, namespace: target.namespace, labels: target.labels && Object.keys(target.labels).length ? target.labels : undefined, annotations };
}

/** Refuses names Kubernetes would refuse (INVALID_ARGUMENT), before anything is printed. */
export function assertTarget(target: ManifestTarget): void {
  if (!DNS_SUBDOMAIN.test(target.name) || target.name.length > 253) throw new HushError("INVALID_ARGUMENT", "--name must be a Kubernetes object name: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit.");
  if (target.namespace !== undefined && !DNS_LABEL.test(target.namespace)) throw new HushError("INVALID_ARGUMENT", "--namespace must be a Kubernetes namespace: lower-case letters, digits and '-', at most 63.");
  for (const [k, v] of Object.entries(target.labels ?? {})) {
    if (!LABEL_KEY.test(k) || !LABEL_VALUE.test(v)) throw new HushError("INVALID_ARGUMENT", "--label takes key=value with Kubernetes label syntax (value: at most 63 of letters, digits, '-', '_', '.').");
  }
}

// --- internal ---

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
