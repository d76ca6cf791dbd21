/**
 * The `file` key provider: the key file in the secrets folder, as the Python reference design
 * keeps it (`.secrets/.encryption.key` for `dev`, `.secrets/<env>.key` otherwise). Python-layout
 * projects need it; a hush project that has such a file and no `keys:` entry keeps using it.
 *
 * ```yaml
 * keys:
 *   dev: { provider: file }
 * ```
 *
 * It protects against nothing that can read the project folder: an agent working in the repo, a
 * backup or a `cp -r` carries the key along with the store. `hush doctor` warns about it, and
 * `hush key move --to user` moves the key out (docs/keys.md).
 */
import { keyFilePath, ensureSecretsDir } from "../crypto/key-file.js";
import type { PermissionPolicy } from "../fs/permissions.js";
import { defineKeyProviderType, type KeyProvider, type KeyProviderContext } from "./provider.js";
import { createFileBackedProvider } from "./_file-backed.js";

/** Options of the `file` provider (none: the secrets folder in effect decides where the key is). */
export type FileKeyProviderOptions = Record<string, never>;

/** `provider: file` in hush.yaml. */
export const fileKeyProviderType = defineKeyProviderType({
  type: "file",
  summary: "the key file in the secrets folder (.secrets/.encryption.key, .secrets/<env>.key), beside the store",
  options: {},
  create: (_options, context) => createFileKeyProvider(context),
});

const PROVIDER_TYPE = "file";

/** Creates the `file` provider of `context.environment`; `policy: "warn"` is the local store's `permissions: warn`. */
export function createFileKeyProvider(context: KeyProviderContext, options: { policy?: PermissionPolicy } = {}): KeyProvider {
  return createFileBackedProvider({
    policy: options.policy,
    type: PROVIDER_TYPE,
    path: keyFilePath(context.secretsDir, context.environment),
    ensureFolder: () => ensureSecretsDir(context.secretsDir),
    context,
  });
}
