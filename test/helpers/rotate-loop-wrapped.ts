/**
 * Child process for the wrapped-key re-keying crash test (bundled by test/helpers/bundle.ts):
 * rotates the key of the local store in <secretsDir>, whose dev key hush.yaml-style settings
 * <keysJson> wrap (e.g. vault-transit), over and over, printing "rotated" after each. The
 * provider reads its credentials from this process's environment.
 * Usage: rotate-loop-wrapped <secretsDir> <keysJson>
 */
import { dirname } from "node:path";
import { rotateLocalKey } from "../../src/keys/rotate-local.js";
import { forgetEnvironmentKeys, resolveKeyProvider } from "../../src/keys/environment-key.js";

const [secretsDir, keysJson] = process.argv.slice(2);
const context = { root: dirname(secretsDir!), secretsDir: secretsDir!, environment: "dev", onWarning: () => undefined, keys: JSON.parse(keysJson!) };
for (;;) {
  await rotateLocalKey({ secretsDir: secretsDir!, environment: "dev", provider: resolveKeyProvider(context), lockTimeoutMs: 60_000 });
  forgetEnvironmentKeys();
  process.stdout.write("rotated\n");
}
