/**
 * The hush.yaml that `hush init` writes: every line a comment but, for a new project, `version: 1`
 * and `project: <id>` (the `user` key provider's folder, docs/keys.md). Those two lines are read
 * without the YAML parser (src/config/load.ts), so loading the template costs no YAML parse.
 * docs/config.md describes every key.
 */

/** The template, for `environment` as the default environment; with `project`, its two live lines. */
export function configTemplate(environment: string, project?: string): string {
  const head =
    project === undefined
      ? "# version: 1\n"
      : `version: 1

# This project's id: its keys live outside the project, in ~/.config/hush/keys/${project}/ (the
# \`user\` key provider; docs/keys.md). Not a secret; another machine needs the key itself
# (\`hush key export\` / \`hush key import\`).
project: ${project}
`;
  return `# hush.yaml — hush's project configuration (docs/config.md). Commit it: it never holds values.
# Every other line below is a comment; uncomment what you need. Until then hush uses its defaults.

${head}
# Default environment when neither --env nor HUSH_ENV is given.
# environment: ${environment}
# Environments this project uses; any other is refused.
# environments: [dev, staging, prod]

# Where each environment's key lives (docs/keys.md). Without an entry: the key file in the secrets
# folder if there is one (\`file\`), else your config folder (\`user\`, when \`project:\` is set).
# keys:
#   prod: { provider: env }      # HUSH_KEY_PROD, for CI and containers

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
