/**
 * The `llm-key` rotator: LLM providers do not let a program mint API keys, so the person creates
 * the new key in the provider's console and pastes it (a hidden prompt, or stdin). hush then
 * checks its format against the provider registry (src/adapters/key-formats.ts), makes the
 * provider's cheapest authenticated call (`GET /models` and the like, no tokens spent) as the
 * `test` step, and at finish reminds the person to revoke the old key in the console, with the
 * link (hush cannot revoke it: `revoke` is absent).
 *
 * ```yaml
 * secrets:
 *   openai_api_key:
 *     type: llm-api-key
 *     rotator: { type: llm-key, provider: openai }
 * ```
 *
 * `baseUrl` points the test call elsewhere (a proxy, an Azure-style gateway, the tests' fake).
 */
import { HushError } from "../errors.js";
import { option } from "../config/options-schema.js";
import { checkKeyFormat, maskKey } from "../adapters/format-check.js";
import { findProvider } from "../adapters/lookup.js";
import { defineRotatorType, type Rotator, type RotatorContext } from "./rotator.js";

/** Options of the `llm-key` rotator. */
export interface LlmKeyRotatorOptions {
  /** The provider's id in the registry (`openai`, `anthropic`, `google`, ...). @default from the secret's name (`openai_api_key`: openai) */
  provider?: string;
  /** Base URL of the test call. @default the provider's API (`https://api.openai.com/v1`, ...) */
  baseUrl?: string;
  /** Where the person revokes the old key. @default the provider's key page */
  consoleUrl?: string;
  /** Longest the test call may take, in seconds. @default 15 */
  timeoutSeconds: number;
}

const schema = {
  provider: option.string({ description: "the provider's id in `hush providers` (openai, anthropic, google, ...); default: from the secret's name" }),
  baseUrl: option.string({ description: "base URL of the authenticated test call (default: the provider's API)" }),
  consoleUrl: option.string({ description: "where the old key is revoked (default: the provider's key page)" }),
  timeoutSeconds: option.integer({ min: 1, max: 120, default: 15, description: "longest the test call may take" }),
};

/** The `llm-key` rotator type. */
export const llmKeyRotatorType = defineRotatorType({
  type: "llm-key",
  summary: "an LLM API key the person pastes; format-checked, tested with the provider's cheapest authenticated call",
  options: schema,
  create: (options, context) => createLlmKeyRotator(options, context),
});

/** How each provider's cheapest authenticated call is made; others use the OpenAI-compatible form. */
const CALLS: Record<string, { base: string; path: string; headers: (key: string) => Record<string, string>; console: string }> = {
  openai: { base: "https://api.openai.com/v1", path: "/models", headers: (k) => ({ authorization: `Bearer ${k}` }), console: "https://platform.openai.com/api-keys" },
  anthropic: { base: "https://api.anthropic.com", path: "/v1/models", headers: (k) => ({ "x-api-key": k, "anthropic-version": "2023-06-01" }), console: "https://console.anthropic.com/settings/keys" },
  google: { base: "https://generativelanguage.googleapis.com", path: "/v1beta/models", headers: (k) => ({ "x-goog-api-key": k }), console: "https://aistudio.google.com/apikey" },
};

/** A rotator for a pasted LLM key; see the module comment. */
export function createLlmKeyRotator(options: LlmKeyRotatorOptions, context: Pick<RotatorContext, "name" | "readSecret">): Rotator {
  const provider = findProvider(options.provider ?? context.name.replace(/_(api_)?key$/, ""));
  const call = CALLS[provider.id] ?? { base: provider.settings.find((s) => s.field === "baseURL")?.default ?? "", path: "/models", headers: (k: string) => ({ authorization: `Bearer ${k}` }), console: provider.docs };
  let oldPreview: string | undefined;
  return {
    async create(current) {
      if (!context.readSecret) throw new HushError("INVALID_ARGUMENT", `The llm-key rotator needs the new ${provider.displayName} key from a prompt or stdin; none is available here.`, { secret: context.name });
      oldPreview = current === undefined ? undefined : maskKey(current);
      const key = (await context.readSecret(`New ${provider.displayName} key for ${context.name} (create it at ${options.consoleUrl ?? call.console}): `)).trim();
      const format = checkKeyFormat(provider, key);
      if (format.status === "mismatch") throw new HushError("INVALID_VALUE", `The new key for "${context.name}" does not look like ${provider.displayName} key: ${format.reason}.`, { secret: context.name });
      return key;
    },
    async test({ value }) {
      const base = (options.baseUrl ?? call.base).replace(/\/+$/, "");
      if (!base) throw new HushError("INVALID_ARGUMENT", `No base URL for ${provider.displayName}'s test call: set \`baseUrl\` in the rotator's options.`, { secret: context.name });
      let status: number;
      try {
        const res = await fetch(base + call.path, { headers: call.headers(value), signal: AbortSignal.timeout(options.timeoutSeconds * 1000) });
        status = res.status;
        await res.body?.cancel();
      } catch (e) {
        throw new HushError("SOURCE_UNAVAILABLE", `${provider.displayName}'s API at ${base} could not be reached to test the new key.`, { cause: e, secret: context.name });
      }
      if (status === 401 || status === 403) throw new HushError("ACCESS_DENIED", `${provider.displayName} refused the new key for "${context.name}" (HTTP ${status}); check it was copied whole and is active.`, { secret: context.name });
      if (status < 200 || status >= 300) throw new HushError("SOURCE_UNAVAILABLE", `${provider.displayName}'s test call answered HTTP ${status}; the new key could not be confirmed.`, { secret: context.name });
    },
    reminders: () => [`revoke the old ${provider.displayName} key${oldPreview ? ` (${oldPreview})` : ""} in the console: ${options.consoleUrl ?? call.console}`],
  };
}
