/** Writes `values` as the new payload of `dir` with the kubelet's `..data` swap (see kubelet-volume.mjs). */
export declare function writeKubeletPayload(dir: string, values: Record<string, string>): void;
