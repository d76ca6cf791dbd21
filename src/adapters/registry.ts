/**
 * The LLM provider registry, kept as plain data (JSON-serialisable: formats are regex
 * sources, not RegExp objects) so `hush providers --json`, the docs and the tests read the
 * same table. Code that acts on it lives in `lookup.ts`, `inject.ts` and `format-check.ts`.
 *
 * Key lookup for an entry with `name: "openai"`: `openai_api_key`, `openai_key`,
 * `OPENAI_API_KEY`, then `aliases` in order (see `keyLookupNames`).
 *
 * Key formats come from the one table in `key-formats.ts` (which the scanner's rules use too),
 * only where the provider's keys have a well-known, stable shape. `keyFormat: null` means "no
 * documented format": no check, no warning.
 *
 * To add a provider: add one entry below; `test/adapters/registry.test.ts` checks its shape.
 */

import { KEY_FORMATS, keyFormatSource, keyPrefixes } from "./key-formats.js";

/** Rotation policy type of every LLM key (DESIGN: LLM keys rotate every 90 days). */
export type LlmRotationPolicy = "llm-api-key";

/** The shape a provider's keys have. */
export interface KeyFormat {
  /** Anchored regular-expression source that a whole, well-formed key matches. */
  pattern: string;
  /** Literal prefixes of these keys, longest first. Public constants: a masked preview may show them. */
  prefixes: string[];
  /** What a key looks like, in words (never an example key). */
  description: string;
}

/** A non-key setting the SDK needs (base URL, organisation, API version, region, ...). */
export interface ProviderSetting {
  /** Field name in the SDK constructor's options (`baseURL`, `organization`, `apiVersion`). */
  field: string;
  /** hush names looked up in order (either form works: `openai_base_url` / `OPENAI_BASE_URL`). */
  names: string[];
  /** Used when no name is set. */
  default?: string;
  /** When true and no name is set and there is no default, `adapterConfig` throws NOT_FOUND. */
  required?: boolean;
  description: string;
}

/** One LLM provider. */
export interface ProviderEntry {
  /** Stable id used by the API and the CLI (`openai`, `azure-openai`). */
  id: string;
  /** Other ids accepted for it (`gemini` for `google`). */
  idAliases: string[];
  displayName: string;
  /** The `<name>` of the lookup pattern: `<name>_api_key`, `<name>_key`, `<NAME>_API_KEY`. */
  name: string;
  /** Further key names in common use, tried after the pattern names, in order. */
  aliases: string[];
  /** Field of the SDK constructor that takes the key (`apiKey`, or `token` for Cohere). */
  keyField: string;
  /** False when the provider runs without a key (a local server). */
  keyRequired: boolean;
  /** Value given to `keyField` when no key is found and none is required (the SDK insists on one). */
  keyPlaceholder?: string;
  keyFormat: KeyFormat | null;
  settings: ProviderSetting[];
  /** The SDK the config is shaped for: npm package and the export to construct. */
  sdk: { package: string; export: string };
  rotationPolicy: LlmRotationPolicy;
  /** Rotation period in days. */
  rotationDays: number;
  /** Where the provider documents its keys. */
  docs: string;
  notes?: string;
  /** How `hush gateway` reaches the provider (docs/gateway.md); absent: no built-in route. */
  gateway?: ProviderGateway;
}

/**
 * A provider's built-in gateway route. The child of `hush run --gateway` gets the route's URL
 * (plus `basePath`) in `sdkBaseUrlVariable` and in the hush name of the base-URL setting
 * (`XAI_BASE_URL`, read by `adapterConfig`).
 */
export interface ProviderGateway {
  /** The API's origin, `https://host`. */
  upstream: string;
  /** `bearer`, or the header that carries the whole key (`x-api-key`). */
  auth: "bearer" | { header: string };
  /** What the SDK expects after the base URL (`/v1` for the openai SDK); "" for none. */
  basePath: string;
  /** The base-URL variable the provider's own SDK reads; null when it reads none. */
  sdkBaseUrlVariable: string | null;
}

const LLM = { rotationPolicy: "llm-api-key", rotationDays: 90 } as const;

const baseURL = (name: string, def: string | undefined, description = "API base URL", extra: string[] = []): ProviderSetting => ({
  field: "baseURL",
  names: [`${name}_base_url`, ...extra],
  ...(def === undefined ? {} : { default: def }),
  description,
});

/** The registry's form of a provider's entry in the key-format table. */
function keyFormatOf(provider: string): KeyFormat {
  const format = KEY_FORMATS.find((f) => f.provider === provider);
  if (!format) throw new Error(`no key format for ${provider}`); // a bug in the table, caught by every test
  return { pattern: `^${keyFormatSource(format)}$`, prefixes: keyPrefixes(format), description: format.shape };
}

/** Every provider hush knows, in the order `hush providers` lists them. */
export const PROVIDERS: readonly ProviderEntry[] = Object.freeze([
  {
    id: "openai", idAliases: [], displayName: "OpenAI", name: "openai", aliases: [],
    keyField: "apiKey", keyRequired: true,
    keyFormat: keyFormatOf("openai"),
    settings: [
      baseURL("openai", "https://api.openai.com/v1"),
      { field: "organization", names: ["openai_org_id", "OPENAI_ORGANIZATION"], description: "organisation id (org-...)" },
      { field: "project", names: ["openai_project_id"], description: "project id (proj_...)" },
    ],
    sdk: { package: "openai", export: "OpenAI" }, ...LLM,
    docs: "https://platform.openai.com/api-keys",
    gateway: { upstream: "https://api.openai.com", auth: "bearer", basePath: "/v1", sdkBaseUrlVariable: "OPENAI_BASE_URL" },
  },
  {
    id: "anthropic", idAliases: ["claude"], displayName: "Anthropic", name: "anthropic", aliases: ["CLAUDE_API_KEY"],
    keyField: "apiKey", keyRequired: true,
    keyFormat: keyFormatOf("anthropic"),
    settings: [baseURL("anthropic", "https://api.anthropic.com")],
    sdk: { package: "@anthropic-ai/sdk", export: "Anthropic" }, ...LLM,
    docs: "https://docs.anthropic.com/en/api/overview",
    gateway: { upstream: "https://api.anthropic.com", auth: { header: "x-api-key" }, basePath: "", sdkBaseUrlVariable: "ANTHROPIC_BASE_URL" },
  },
  {
    id: "google", idAliases: ["gemini"], displayName: "Google (Gemini)", name: "google",
    aliases: ["GEMINI_API_KEY", "GOOGLE_GENERATIVE_AI_API_KEY"],
    keyField: "apiKey", keyRequired: true,
    keyFormat: keyFormatOf("google"),
    settings: [],
    sdk: { package: "@google/genai", export: "GoogleGenAI" }, ...LLM,
    docs: "https://ai.google.dev/gemini-api/docs/api-key",
    gateway: { upstream: "https://generativelanguage.googleapis.com", auth: { header: "x-goog-api-key" }, basePath: "", sdkBaseUrlVariable: "GOOGLE_GEMINI_BASE_URL" },
    notes: "The older @google/generative-ai package takes the key positionally: new GoogleGenerativeAI(config.apiKey).",
  },
  {
    id: "mistral", idAliases: [], displayName: "Mistral", name: "mistral", aliases: [],
    keyField: "apiKey", keyRequired: true, keyFormat: null,
    settings: [{ field: "serverURL", names: ["mistral_base_url"], default: "https://api.mistral.ai", description: "API server URL" }],
    sdk: { package: "@mistralai/mistralai", export: "Mistral" }, ...LLM,
    docs: "https://docs.mistral.ai/getting-started/quickstart/",
    gateway: { upstream: "https://api.mistral.ai", auth: "bearer", basePath: "", sdkBaseUrlVariable: null },
  },
  {
    id: "xai", idAliases: ["grok"], displayName: "xAI (Grok)", name: "xai", aliases: ["GROK_API_KEY"],
    keyField: "apiKey", keyRequired: true,
    keyFormat: keyFormatOf("xai"),
    settings: [baseURL("xai", "https://api.x.ai/v1", "OpenAI-compatible base URL")],
    sdk: { package: "openai", export: "OpenAI" }, ...LLM,
    docs: "https://docs.x.ai/docs/overview",
    gateway: { upstream: "https://api.x.ai", auth: "bearer", basePath: "/v1", sdkBaseUrlVariable: null },
  },
  {
    id: "groq", idAliases: [], displayName: "Groq", name: "groq", aliases: [],
    keyField: "apiKey", keyRequired: true,
    keyFormat: keyFormatOf("groq"),
    settings: [baseURL("groq", "https://api.groq.com")],
    sdk: { package: "groq-sdk", export: "Groq" }, ...LLM,
    docs: "https://console.groq.com/docs/quickstart",
    gateway: { upstream: "https://api.groq.com", auth: "bearer", basePath: "", sdkBaseUrlVariable: "GROQ_BASE_URL" },
    notes: "With the openai SDK instead, use baseURL https://api.groq.com/openai/v1.",
  },
  {
    id: "deepseek", idAliases: [], displayName: "DeepSeek", name: "deepseek", aliases: [],
    keyField: "apiKey", keyRequired: true, keyFormat: null,
    settings: [baseURL("deepseek", "https://api.deepseek.com", "OpenAI-compatible base URL")],
    sdk: { package: "openai", export: "OpenAI" }, ...LLM,
    docs: "https://api-docs.deepseek.com/",
    gateway: { upstream: "https://api.deepseek.com", auth: "bearer", basePath: "", sdkBaseUrlVariable: null },
  },
  {
    id: "cohere", idAliases: [], displayName: "Cohere", name: "cohere", aliases: ["CO_API_KEY"],
    keyField: "token", keyRequired: true, keyFormat: null,
    settings: [],
    sdk: { package: "cohere-ai", export: "CohereClientV2" }, ...LLM,
    docs: "https://docs.cohere.com/docs/rate-limits",
  },
  {
    id: "together", idAliases: ["togetherai"], displayName: "Together AI", name: "together", aliases: ["TOGETHERAI_API_KEY"],
    keyField: "apiKey", keyRequired: true, keyFormat: null,
    settings: [baseURL("together", "https://api.together.xyz/v1")],
    sdk: { package: "together-ai", export: "Together" }, ...LLM,
    docs: "https://docs.together.ai/docs/quickstart",
    gateway: { upstream: "https://api.together.xyz", auth: "bearer", basePath: "/v1", sdkBaseUrlVariable: "TOGETHER_BASE_URL" },
  },
  {
    id: "openrouter", idAliases: [], displayName: "OpenRouter", name: "openrouter", aliases: [],
    keyField: "apiKey", keyRequired: true,
    keyFormat: keyFormatOf("openrouter"),
    settings: [baseURL("openrouter", "https://openrouter.ai/api/v1", "OpenAI-compatible base URL")],
    sdk: { package: "openai", export: "OpenAI" }, ...LLM,
    docs: "https://openrouter.ai/docs/quickstart",
    gateway: { upstream: "https://openrouter.ai", auth: "bearer", basePath: "/api/v1", sdkBaseUrlVariable: null },
  },
  {
    id: "azure-openai", idAliases: ["azure"], displayName: "Azure OpenAI", name: "azure_openai", aliases: ["AZURE_API_KEY"],
    keyField: "apiKey", keyRequired: true, keyFormat: null,
    settings: [
      { field: "endpoint", names: ["azure_openai_endpoint", "AZURE_API_BASE"], required: true, description: "resource endpoint, https://<resource>.openai.azure.com/" },
      // 2024-10-21 is the GA data-plane version in Azure's API lifecycle docs; AzureOpenAI has no default and throws without one.
      { field: "apiVersion", names: ["azure_openai_api_version", "OPENAI_API_VERSION", "AZURE_API_VERSION"], default: "2024-10-21", description: "API version" },
      { field: "deployment", names: ["azure_openai_deployment"], description: "model deployment name (optional)" },
    ],
    sdk: { package: "openai", export: "AzureOpenAI" }, ...LLM,
    docs: "https://learn.microsoft.com/azure/ai-services/openai/reference",
  },
  {
    id: "bedrock", idAliases: ["aws-bedrock"], displayName: "AWS Bedrock", name: "bedrock", aliases: ["AWS_BEARER_TOKEN_BEDROCK"],
    keyField: "apiKey", keyRequired: true, keyFormat: null,
    settings: [
      { field: "awsRegion", names: ["aws_region", "AWS_DEFAULT_REGION"], description: "AWS region; the endpoint is derived from it" },
      baseURL("bedrock", undefined, "endpoint override (default: derived from the region)", ["AWS_BEDROCK_BASE_URL"]),
    ],
    sdk: { package: "openai", export: "BedrockOpenAI" }, ...LLM,
    docs: "https://docs.aws.amazon.com/bedrock/latest/userguide/api-keys.html",
    notes: "The key is a Bedrock API key (bearer token). IAM access keys for the AWS SDK are not LLM keys and are not looked up here.",
  },
  {
    id: "ollama", idAliases: [], displayName: "Ollama (local)", name: "ollama", aliases: [],
    keyField: "apiKey", keyRequired: false, keyPlaceholder: "ollama", keyFormat: null,
    settings: [baseURL("ollama", "http://localhost:11434/v1", "OpenAI-compatible base URL")],
    sdk: { package: "openai", export: "OpenAI" }, ...LLM,
    docs: "https://github.com/ollama/ollama/blob/main/docs/openai.md",
    notes: "Ollama ignores the key; the openai SDK requires one, so the placeholder is used when none is set (a key is used when set, e.g. behind an auth proxy).",
  },
  {
    id: "openai-compatible", idAliases: ["local"], displayName: "OpenAI-compatible server", name: "openai_compatible", aliases: [],
    keyField: "apiKey", keyRequired: false, keyPlaceholder: "not-needed", keyFormat: null,
    settings: [{ field: "baseURL", names: ["openai_compatible_base_url"], required: true, description: "base URL of the server (LM Studio, vLLM, llama.cpp, LocalAI, ...)" }],
    sdk: { package: "openai", export: "OpenAI" }, ...LLM,
    docs: "https://github.com/openai/openai-node#configuring-the-client",
  },
]);

for (const entry of PROVIDERS) deepFreeze(entry);

// --- internal ---

/** The registry is shared data: freeze it so no caller can change another's view of it. */
function deepFreeze(value: object): void {
  for (const v of Object.values(value)) if (typeof v === "object" && v !== null) deepFreeze(v);
  Object.freeze(value);
}
