/**
 * The key provider of a key scope. Stand-in until the `keys` branch's `resolveKeyProvider`
 * (src/keys/environment-key.ts) is merged: the provider hush.yaml's `keys:` names, else `file`.
 */
import { HushError } from "../errors.js";
import { parseOptions } from "../config/options-schema.js";
import { findKeyProviderType } from "../keys/registry.js";
import type { KeyProvider } from "../keys/provider.js";
import type { KeyScope } from "./key-scope.js";

/** The environment's key provider (not loaded). */
export function resolveKeyScopeProvider(scope: KeyScope): KeyProvider {
  const entry = scope.keys?.[scope.environment] ?? { provider: "file", options: {} };
  const descriptor = findKeyProviderType(entry.provider);
  if (!descriptor) throw new HushError("CONFIG_INVALID", `keys.${scope.environment}.provider: unknown key provider.`);
  const problems: string[] = [];
  const options = parseOptions(descriptor.options, entry.options, ["keys", scope.environment], (path, message) => problems.push(`${path.join(".")}: ${message}`));
  if (problems.length > 0) throw new HushError("CONFIG_INVALID", `hush.yaml is invalid:\n  - ${problems.join("\n  - ")}`);
  return descriptor.create(options, scope);
}
