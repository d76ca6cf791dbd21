/**
 * Child process for the crash test (bundled by test/helpers/bundle.ts): writes to the local
 * store as fast as it can and prints one line per write, only after set() resolved:
 *   ack <name> <value>
 * Even writes create a new name per write; odd writes overwrite the writer's `latest` name.
 * Usage: crash-writer <secretsDir> <writerId> <generation>
 */
import { createLocalSource } from "../../src/sources/local.js";

const [secretsDir, writer, generation] = process.argv.slice(2);
const source = createLocalSource({ secretsDir: secretsDir!, lockTimeoutMs: 60_000 });

for (let i = 0; ; i++) {
  const name = i % 2 === 0 ? `w${writer}_g${generation}_n${i}` : `w${writer}_latest`;
  const value = `value-${writer}-${generation}-${i}`;
  await source.set(name, value);
  process.stdout.write(`ack ${name} ${value}\n`);
}
