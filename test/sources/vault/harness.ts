/** A Vault fake and a `vault` source pointed at it, for the conformance suite and the Vault tests. */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createVaultSource } from "../../../src/sources/vault/create.js";
import { parseOptions } from "../../../src/config/options-schema.js";
import { VAULT_OPTIONS, type VaultSourceOptions } from "../../../src/sources/vault.js";
import type { SourceContext } from "../../../src/sources/descriptor.js";
import type { RemoteRef } from "../../../src/config/types.js";
import { startVaultFake, type VaultFake } from "../../fakes/vault.js";

export const PREFIX = "app";
export const SECRET_ID = "approle-secret-id-CANARY";

/** A fake, a source on it (AppRole by default), and what the test saw. */
export interface VaultSetup {
  vault: VaultFake;
  source: ReturnType<typeof createVaultSource>;
  context: SourceContext;
  warnings: string[];
  debug: string[];
  /** Writes `{ value }` at `<prefix>/<name>`, as another writer would. */
  seed(values: Record<string, string>): void;
  /** Another source on the same fake and context (another process), with `options` over the first one's; disposed by `cleanup`. */
  another(options?: Record<string, unknown>): ReturnType<typeof createVaultSource>;
  cleanup(): Promise<void>;
}

/** Starts a fake and a source on it; `options` are hush.yaml's (parsed: defaults, durations). */
export async function setupVault(options: Record<string, unknown> = {}, extra: { env?: NodeJS.ProcessEnv | ((vault: VaultFake, root: string) => NodeJS.ProcessEnv); remoteRefs?: Record<string, RemoteRef> } = {}): Promise<VaultSetup> {
  const vault = await startVaultFake();
  vault.addAppRole("role-1", SECRET_ID);
  const root = mkdtempSync(join(tmpdir(), "hush-vault-"));
  mkdirSync(join(root, ".secrets"), { mode: 0o700 });
  const warnings: string[] = [];
  const debug: string[] = [];
  const context: SourceContext = {
    root,
    secretsDir: join(root, ".secrets"),
    environment: "dev",
    env: typeof extra.env === "function" ? extra.env(vault, root) : (extra.env ?? { VAULT_SECRET_ID: SECRET_ID, HOME: root }),
    onWarning: (m) => warnings.push(m),
    onDebug: (m) => debug.push(m),
    ...(extra.remoteRefs ? { remoteRefs: extra.remoteRefs } : {}),
  };
  const make = (more: Record<string, unknown> = {}) => {
    const problems: string[] = [];
    const parsed = parseOptions(VAULT_OPTIONS, { address: vault.url, path: PREFIX, timeout: "300ms", watchInterval: "100ms", auth: { method: "approle", roleId: "role-1" }, ...options, ...more }, ["options"], (p, m) => problems.push(`${p.join(".")}: ${m}`));
    if (problems.length) throw new Error(problems.join("\n"));
    return createVaultSource(parsed as VaultSourceOptions, context);
  };
  const source = make();
  const others: ReturnType<typeof createVaultSource>[] = [];
  return {
    vault,
    source,
    context,
    warnings,
    debug,
    seed(values) {
      for (const [name, value] of Object.entries(values)) vault.kv().write(`${PREFIX}/${name}`, { data: { value } });
    },
    another(more) {
      const other = make(more);
      others.push(other);
      return other;
    },
    async cleanup() {
      for (const other of others) await other.dispose?.();
      await source.dispose?.();
      await vault.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
