/**
 * `hush doctor`'s keys section: for each environment the project uses (the one in effect,
 * `environments:`, `keys:` entries, every `<env>.store` and key file in the secrets folder and the
 * project's user key folder), its key
 * provider (named in `keys:` or chosen by the default rule), where the key lives, the provider's
 * live check, and warnings: a key inside the project folder (`file`: anything that reads the
 * folder opens the store) and a key file others can read. Never a key.
 */
import { readdirSync } from "node:fs";
import { HushError } from "../errors.js";
import { shellQuote } from "../fs/permissions.js";
import { chooseKeyProvider, resolveKeyProvider, type EnvironmentKeyContext } from "../keys/environment-key.js";
import { filesOfEnvironment } from "./init-key.js";
import { userKeyFolder } from "../keys/user.js";
import type { LoadedConfig } from "./types.js";

/** One environment's key, as doctor reports it. */
export interface DoctorKey {
  environment: string;
  provider: string;
  /** True when hush.yaml's `keys:` names no provider for it (the default rule chose). */
  implicit: boolean;
  /** A path, a variable, a KMS key id. */
  where: string;
  insideProject: boolean;
  ok: boolean;
  detail: string;
  problems: { message: string; fix: string }[];
  /** Weaknesses that do not stop hush (a key inside the project folder). */
  warnings: string[];
}

/** Checks the key of every environment the project uses. `usesLocal`: the chain has the local store (its key must exist). */
export async function diagnoseKeys(loaded: LoadedConfig, secretsDir: string, env: NodeJS.ProcessEnv | undefined, usesLocal: boolean): Promise<DoctorKey[]> {
  const out: DoctorKey[] = [];
  for (const environment of environmentsOf(loaded, secretsDir, env)) {
    const context: EnvironmentKeyContext = { secretsDir, environment, root: loaded.root, env, project: loaded.config.project, keys: loaded.config.keys, onWarning: () => undefined };
    out.push(await diagnoseKey(context, usesLocal && environment === loaded.environment));
  }
  return out;
}

// --- internal ---

async function diagnoseKey(context: EnvironmentKeyContext, required: boolean): Promise<DoctorKey> {
  const choice = chooseKeyProvider(context);
  const row: DoctorKey = { environment: context.environment, provider: choice.provider, implicit: choice.implicit, where: "", insideProject: false, ok: true, detail: "", problems: [], warnings: [] };
  try {
    const provider = resolveKeyProvider(context);
    const location = provider.location();
    Object.assign(row, { where: location.where, insideProject: location.insideProject });
    if (!(await provider.exists())) {
      const orphans = filesOfEnvironment(context.secretsDir, context.environment);
      row.detail = "no key stored";
      if (orphans.length > 0 || required) {
        row.ok = false;
        const fix = orphans.length > 0 ? `restore the key from your backup to ${shellQuote(location.where)} (${orphans.join(", ")} need it), or \`hush key import\`` : `hush init${context.environment === "dev" ? "" : ` --env ${context.environment}`}`;
        row.problems.push({ message: `No key for ${context.environment} (${choice.provider}: ${location.where}).`, fix });
      }
      return row;
    }
    const check = provider.check ? await provider.check() : { ok: true, detail: `${choice.provider}: ${location.where}` };
    Object.assign(row, { ok: check.ok, detail: check.detail, problems: check.problems ?? [] });
    if (location.insideProject) {
      row.warnings.push(`the ${context.environment} key sits inside the project folder (${location.where}): an agent, a backup or a cp -r of the folder carries it with the store; \`hush key move --to user${context.environment === "dev" ? "" : ` --env ${context.environment}`}\` moves it out`);
    }
  } catch (e) {
    const err = e instanceof HushError ? e : new HushError("INTERNAL", "The key provider's check failed unexpectedly.", { cause: e });
    Object.assign(row, { ok: false, detail: `${err.code}`, problems: [{ message: err.message, fix: err.hint.replace(/^Run: /, "") }] });
  }
  return row;
}

function environmentsOf(loaded: LoadedConfig, secretsDir: string, env: NodeJS.ProcessEnv | undefined): string[] {
  const found = new Set<string>([loaded.environment, ...(loaded.config.environments ?? []), ...Object.keys(loaded.config.keys ?? {})]);
  const folders = [secretsDir, ...(loaded.config.project ? [userKeyFolder(loaded.config.project, env ?? process.env)] : [])];
  for (const folder of folders) {
    try {
      for (const f of readdirSync(folder)) {
        const m = f === ".encryption.key" ? ["", "dev"] : /^([a-z0-9][a-z0-9_-]{0,31})\.(store|key)$/.exec(f);
        if (m) found.add(m[1]!);
      }
    } catch (_e) {
      // No such folder yet: the environments named above are all there is.
    }
  }
  return [...found].sort((a, b) => Number(b === loaded.environment) - Number(a === loaded.environment) || a.localeCompare(b));
}
