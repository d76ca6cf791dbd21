/**
 * The hush.yaml that `hush init` writes: every line a comment, so loading it costs no YAML parse
 * and it behaves exactly like no file at all until a line is uncommented. docs/config.md
 * describes every key.
 */

/** The commented template, for `environment` as the default environment. */
export function configTemplate(environment: string): string {
  return `# hush.yaml — hush's project configuration (docs/config.md). Commit it: it never holds values.
# Every line below is a comment; uncomment what you need. Until then hush uses its defaults.

# version: 1

# Default environment when neither --env nor HUSH_ENV is given.
# environment: ${environment}
# Environments this project uses; any other is refused.
# environments: [dev, staging, prod]

# best-effort: a failing audit sink gives a warning; required: no value is served unless its access is recorded; off: no audit log.
# audit: best-effort

# The chain, first match wins. Default when absent: env, dotenv, local (+ mallku for a Python-made .secrets/).
# sources:
#   - type: env
#   - type: dotenv
#     options: { files: [.env, .env.${environment}] }
#   - type: local
#     options: { dir: .secrets, maxVersions: 10, lockTimeoutMs: 10000, permissions: strict }

# Declared secrets: \`hush check\` fails while a required one is missing; \`hush env-example\` lists them.
# secrets:
#   openai_api_key:
#     required: true
#     type: llm-api-key          # llm-api-key | database-password | service-account | tls-certificate | generic
#     description: OpenAI key used by the planner agent
#     owner: platform-team
#     rotation: 90d              # overrides the type's default period

# Allow-lists for \`hush scan\` (and the pre-commit hook), shared by the team.
# scan:
#   allow:
#     paths: [test/fixtures/**]  # gitignore-style, as .hushignore
#     rules: [jwt]               # rule ids: hush scan --list-rules
#     secrets: [demo_token]      # managed secrets whose values are not looked for
`;
}
