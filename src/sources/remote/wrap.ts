/**
 * For wrappers around a source (cache, last-known-good): a method's presence is a capability, so a
 * wrapper copies exactly the optional methods the wrapped source has, bound to it.
 */
import type { SecretSource } from "../../types.js";

/** The optional methods of a source. */
export type SourceCapability = Exclude<keyof SecretSource, "name" | "get" | "list">;

/** Copies each of `keys` that `from` has onto `to`, bound to `from`. */
export function copyCapabilities(from: SecretSource, to: SecretSource, keys: readonly SourceCapability[]): void {
  for (const key of keys) {
    const method = from[key];
    if (typeof method === "function") (to as unknown as Record<string, unknown>)[key] = (method as (...a: unknown[]) => unknown).bind(from);
  }
}
