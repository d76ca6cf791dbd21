/**
 * The `kubernetes` source: Kubernetes Secrets, from a mounted volume (`dir`) or from the API.
 *
 * ```yaml
 * sources:
 *   - type: kubernetes
 *     options: { dir: /etc/secrets }          # a Secret mounted as a volume: no API access needed
 * ```
 *
 * Volume mode follows the kubelet's `..data` symlink swap, so an update is read whole and
 * `watch` sees it (./kubernetes/volume.ts).
 */
import { resolve } from "node:path";
import { HushError } from "../errors.js";
import type { SecretSource } from "../types.js";
import { option } from "../config/options-schema.js";
import { defineSourceType, type SourceContext } from "./descriptor.js";
import { createKubernetesVolumeSource } from "./kubernetes/volume.js";

/** Options of {@link createKubernetesSource}. */
export interface KubernetesSourceOptions {
  /** A mounted Secret volume (`/etc/secrets`): volume mode. */
  dir?: string;
  /** In volume mode, a missing folder reads as empty instead of failing. @default false */
  optional?: boolean;
  /** The source's name in the chain. @default "kubernetes" */
  name?: string;
  /** Receives warnings (never values). */
  onWarning?: (message: string) => void;
}

/** `- type: kubernetes` in hush.yaml. */
export const kubernetesSourceType = defineSourceType({
  type: "kubernetes",
  summary: "Kubernetes Secrets: a mounted volume (`dir`, follows the kubelet's ..data swap)",
  options: {
    dir: option.path({ description: "a mounted Secret volume (e.g. /etc/secrets), one file per key: volume mode" }),
    optional: option.boolean({ description: "volume mode: a missing folder reads as empty instead of failing", default: false }),
  },
  create: (options, context: SourceContext) =>
    createKubernetesSource({ dir: options.dir === undefined ? undefined : resolve(context.root, options.dir), optional: options.optional, onWarning: context.onWarning }),
});

const SOURCE_NAME = "kubernetes";

/** Creates the `kubernetes` source. */
export function createKubernetesSource(options: KubernetesSourceOptions): SecretSource {
  const name = options.name ?? SOURCE_NAME;
  if (options.dir !== undefined) return createKubernetesVolumeSource({ dir: options.dir, name, optional: options.optional, onWarning: options.onWarning });
  throw new HushError("CONFIG_INVALID", "hush.yaml: the kubernetes source needs `dir` (a mounted Secret volume).", { source: name });
}
