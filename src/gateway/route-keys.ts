/**
 * Finding each route's key through the manager. A provider's route looks the key up as
 * `adapterConfig` does (`openai_api_key`, `OPENAI_API_KEY`, aliases), unless hush.yaml names
 * the secret; a route whose key is not found is not active (a configured one says so). A read
 * that fails (denied, unreachable, corrupt) throws: it never reads as "no key".
 */
import { resolveProviderKey, type SecretReader } from "../adapters/lookup.js";
import { canonicalName } from "../names.js";
import type { PlannedRoute } from "./routes.js";

/** A route and its key. */
export interface KeyedRoute {
  plan: PlannedRoute;
  /** The key's value: keep it in memory only. */
  key: string;
}

/**
 * The routes whose key was found, each with the canonical name of the secret that supplied it.
 * A configured route, or a built-in one in `requested`, without its key gets a warning.
 */
export async function resolveRouteKeys(plans: readonly PlannedRoute[], reader: SecretReader, warn: (m: string) => void, requested: readonly string[] = []): Promise<KeyedRoute[]> {
  const out: KeyedRoute[] = [];
  for (const plan of plans) {
    if (plan.provider && !plan.explicitSecret) {
      const found = await resolveProviderKey(plan.provider, reader);
      if (found.record && found.name) out.push({ plan: { ...plan, secret: canonicalName(found.name) }, key: found.record.value });
      else if (requested.includes(plan.name)) warn(`gateway route "${plan.name}" is not active: no key found (looked for ${found.lookedFor.join(", ")}).`);
      continue;
    }
    const record = await reader.getRecord(plan.secret);
    if (record && record.value.length > 0) out.push({ plan, key: record.value });
    else warn(`gateway route "${plan.name}" is not active: its secret "${plan.secret}" is not set.`);
  }
  return out;
}
