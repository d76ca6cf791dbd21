/**
 * The one place a store asks for its environment's key. Today this is the key file in the
 * secrets folder; the key-provider registry (issue "Key custody") makes it the provider that
 * hush.yaml's `keys:` names for the environment. Stores that need the key asynchronously (the
 * PostgreSQL store, remote sources' last-known-good cache) call this and nothing else.
 */
import { keyFilePath, readKeyFile } from "../crypto/key-file.js";
import type { FernetKey } from "../crypto/fernet.js";
import type { KeyProviderContext } from "./provider.js";

/** The environment's key. Throws KEY_MISSING, MALFORMED_KEY, INSECURE_PERMISSIONS (and, with providers, their errors). */
export async function loadEnvironmentKey(context: Pick<KeyProviderContext, "secretsDir" | "environment" | "onWarning">): Promise<FernetKey> {
  return readKeyFile(keyFilePath(context.secretsDir, context.environment), "strict", context.onWarning);
}
