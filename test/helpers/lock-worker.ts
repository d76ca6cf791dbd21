/**
 * Child process for the lock tests (bundled by test/helpers/bundle.ts).
 *   count <lockPath> <counterFile> <n>  increments the number in counterFile n times, each
 *                                       read-modify-write under the lock
 *   hold <lockPath>                     takes the lock, prints "held", and waits to be killed
 */
import { readFileSync, writeFileSync } from "node:fs";
import { withLock } from "../../src/fs/lock.js";

const [mode, lockPath, counterFile, n] = process.argv.slice(2);

if (mode === "count") {
  for (let i = 0; i < Number(n); i++) {
    await withLock(lockPath!, async () => {
      const value = Number(readFileSync(counterFile!, "utf8"));
      // Yield between read and write so a missing lock would lose updates.
      await new Promise((r) => setImmediate(r));
      writeFileSync(counterFile!, String(value + 1));
    });
  }
} else if (mode === "hold") {
  await withLock(lockPath!, async () => {
    process.stdout.write("held\n");
    await new Promise(() => setInterval(() => undefined, 1000));
  });
} else {
  throw new Error(`unknown mode ${mode}`);
}
