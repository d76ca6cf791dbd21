/**
 * Where each LLM provider shows a key's usage, for `hush incident`'s checklist ("check the
 * provider's usage dashboard"). Data beside the registry (registry.ts), by provider id; a
 * provider missing here falls back to its `docs` page. Console pages move: each link is the
 * provider's own console, never a third party.
 */
import type { ProviderEntry } from "./registry.js";
import { providersForKeyName } from "./lookup.js";

/** Usage (or activity) pages by provider id. */
export const USAGE_DASHBOARDS: Readonly<Record<string, string>> = {
  openai: "https://platform.openai.com/usage",
  anthropic: "https://console.anthropic.com/settings/usage",
  mistral: "https://console.mistral.ai/usage",
  groq: "https://console.groq.com/dashboard/usage",
  deepseek: "https://platform.deepseek.com/usage",
  openrouter: "https://openrouter.ai/activity",
};

/** The provider that claims `name` as its key name (the first, if several do), if any. */
export function providerOfKeyName(name: string): ProviderEntry | undefined {
  return providersForKeyName(name).find((p) => p.keyRequired);
}

/** The page where a person checks what a provider's keys were used for. */
export function usageDashboardOf(provider: ProviderEntry): string {
  return USAGE_DASHBOARDS[provider.id] ?? provider.docs;
}
