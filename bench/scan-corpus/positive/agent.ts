import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";

// TODO: move to hush before release
const openai = new OpenAI({ apiKey: "{{openai_proj}}" });
const legacy = new OpenAI({ apiKey: "{{openai_legacy}}" });
const anthropic = new Anthropic({ apiKey: "{{anthropic}}" });
const GOOGLE_API_KEY = "{{google}}";
export const groqKey = '{{groq}}';
export const config = {
  xai: { apiKey: "{{xai}}" },
  hf: { token: "{{huggingface}}" },
  stripe: "{{stripe_live}}",
};
const octokit = new Octokit({ auth: "{{github_pat_classic}}" });
