/**
 * Test helpers over a project's sources, each through fresh objects (as another process would:
 * no cache or key provider shared with the code under test).
 */
import { openConfiguredManager } from "../../src/config/open.js";
import type { SecretSource } from "../../src/types.js";

/** `fn` on the first source of the project in `dir`, through a manager of its own, disposed after. */
export async function withSource<T>(dir: string, fn: (s: SecretSource) => Promise<T>): Promise<T> {
  const { manager } = await openConfiguredManager({ cwd: dir });
  try {
    return await fn(manager.sources[0]!);
  } finally {
    await manager.dispose();
  }
}

/** Every name and value `source` lists, then disposes of it. */
export async function readAllValues(source: SecretSource): Promise<Record<string, string>> {
  try {
    const out: Record<string, string> = {};
    for (const n of await source.list()) out[n] = (await source.get(n))!.value;
    return out;
  } finally {
    await source.dispose?.();
  }
}
