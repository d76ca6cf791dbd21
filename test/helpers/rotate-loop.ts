/**
 * Child process for the re-keying crash test (bundled by test/helpers/bundle.ts): rotates the key
 * of the `file`-keyed local store in <secretsDir> over and over, printing "rotated" after each.
 * Usage: rotate-loop <secretsDir>
 */
import { rotateLocalKey } from "../../src/keys/rotate-local.js";
import { createFileKeyProvider } from "../../src/keys/file.js";
import { dirname } from "node:path";

const [secretsDir] = process.argv.slice(2);
const context = { root: dirname(secretsDir!), secretsDir: secretsDir!, environment: "dev", onWarning: () => undefined };
for (;;) {
  await rotateLocalKey({ secretsDir: secretsDir!, environment: "dev", provider: createFileKeyProvider(context), lockTimeoutMs: 60_000 });
  process.stdout.write("rotated\n");
}
