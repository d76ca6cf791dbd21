/**
 * `project:` and `keys:` of hush.yaml (docs/keys.md): `keys` maps an environment to its key
 * provider, `{ provider: <type>, ...options }`, each type known to the key-provider registry and
 * its options checked against that type's schema. Problems carry paths such as `keys.prod.keyId`
 * and never a value from the file (a key pasted there is reported as a credential, not echoed).
 */
import { assertValidEnvironment } from "../environment.js";
import { describeUnknownKeyProvider, findKeyProviderType, listKeyProviderTypes } from "../keys/registry.js";
import { projectIdField } from "../keys/user.js";
import { isMapping, kindOf, parseOptions, type AddProblem } from "./options-schema.js";
import { credentialMessage, hasUrlPassword, looksLikeCredential } from "./validate-text.js";
import type { KeyConfig } from "./types.js";

/** Checks the top-level `project:`; returns it when valid. */
export function checkProject(raw: unknown, add: AddProblem): string | undefined {
  return projectIdField.check(raw, ["project"], add);
}

/**
 * Checks `keys:`; returns the entries with their options as written (defaults are filled in when
 * the provider is made). `environments` (when the file lists them) bounds the environment names;
 * `project` says whether a `user` entry without its own `project` has one to use.
 */
export function checkKeysSection(raw: unknown, add: AddProblem, scope: { environments?: string[]; project?: string } = {}): Record<string, KeyConfig> | undefined {
  if (!isMapping(raw)) {
    add(["keys"], `expected a mapping of environment names to \`{ provider: <type>, ... }\`, got ${kindOf(raw)}.`);
    return undefined;
  }
  const out: Record<string, KeyConfig> = {};
  for (const [environment, entry] of Object.entries(raw)) {
    const at = ["keys", environment];
    if (!validEnvironment(environment)) {
      add(at, looksLikeCredential(environment, entry) ? credentialMessage() : "not a valid environment name: lower-case letters, digits, '_' or '-', at most 32 characters.");
      continue;
    }
    if (scope.environments && !scope.environments.includes(environment)) add(at, "is not one of `environments`; add it there or remove this entry.");
    if (!isMapping(entry)) {
      add(at, `expected a mapping with \`provider:\`, got ${kindOf(entry)}.`);
      continue;
    }
    const { provider, ...options } = entry;
    const type = checkProvider(provider, [...at, "provider"], add);
    const descriptor = type === undefined ? undefined : findKeyProviderType(type);
    if (descriptor) parseOptions(descriptor.options, options, at, add);
    else checkUnknownOptions(options, at, add);
    if (type === "user" && options.project === undefined && scope.project === undefined) {
      add(at, "the user provider needs a project id: add `project: <id>` at the top of hush.yaml (or here).");
    }
    if (type !== undefined) out[environment] = { provider: type, options };
  }
  return out;
}

// --- internal ---

function validEnvironment(name: string): boolean {
  try {
    assertValidEnvironment(name);
    return true;
  } catch (_e) {
    return false;
  }
}

/** Checks `keys.<env>.provider`; returns it when it is a string (known or not). */
function checkProvider(provider: unknown, at: (string | number)[], add: AddProblem): string | undefined {
  if (provider === undefined) {
    add(at, `missing; one of ${listKeyProviderTypes().map((d) => d.type).join(", ")}.`);
    return undefined;
  }
  if (typeof provider !== "string") {
    add(at, `expected a key provider name, got ${kindOf(provider)}.`);
    return undefined;
  }
  if (!findKeyProviderType(provider)) add(at, describeUnknownKeyProvider(provider));
  return provider;
}

/** Options of a provider no one knows: only credentials are reported (the provider's own problem is said once). */
function checkUnknownOptions(options: Record<string, unknown>, at: readonly (string | number)[], add: AddProblem): void {
  for (const [key, value] of Object.entries(options)) {
    if (looksLikeCredential(key, value)) add([...at, key], credentialMessage());
    if (typeof value === "string" && hasUrlPassword(value)) add([...at, key], "holds a URL with a password; " + credentialMessage());
  }
}
