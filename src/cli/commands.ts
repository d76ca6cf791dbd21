/**
 * The command table: names and one-line summaries, with a lazy loader each, so `--help`,
 * `get` and `run` load only what they use. A command module exports
 * `register(program: Command, ctx: CliContext): void`, which adds its sub-command.
 *
 * To add a command: add one line here and a file in `commands/`.
 */
import type { Command } from "commander";
import type { CliContext } from "./context.js";

export interface CommandModule {
  register(program: Command, ctx: CliContext): void;
}

export interface CommandEntry {
  name: string;
  summary: string;
  load: () => Promise<CommandModule>;
}

export const COMMANDS: CommandEntry[] = [
  { name: "get", summary: "print a secret's value (stdout only)", load: () => import("./commands/values.js") },
  { name: "set", summary: "store a secret from stdin, a hidden prompt or a file", load: () => import("./commands/values.js") },
  { name: "rm", summary: "remove a secret", load: () => import("./commands/values.js") },
  { name: "restore", summary: "bring back a secret removed with `hush rm` (postgres keeps deleted secrets)", load: () => import("./commands/values.js") },
  { name: "run", summary: "run a command with the secrets in its environment only", load: () => import("./commands/run.js") },
  { name: "init", summary: "create .secrets/, the key, a commented hush.yaml; git-ignore them", load: () => import("./commands/init.js") },
  { name: "doctor", summary: "check hush.yaml, sources, permissions and required secrets", load: () => import("./commands/doctor.js") },
  { name: "check", summary: "fail listing required secrets that nothing provides", load: () => import("./commands/check.js") },
  { name: "env-example", summary: "write .env.example: names and comments, never values", load: () => import("./commands/env-example.js") },
  { name: "list", summary: "list secrets with their source, version and age (never values)", load: () => import("./commands/list.js") },
  { name: "history", summary: "show a secret's versions", load: () => import("./commands/list.js") },
  { name: "rollback", summary: "restore an old version of a secret", load: () => import("./commands/list.js") },
  { name: "import", summary: "import from a .env file, JSON or a Python .secrets/ folder", load: () => import("./commands/transfer.js") },
  { name: "export", summary: "print secrets as dotenv, JSON or shell", load: () => import("./commands/transfer.js") },
  { name: "copy", summary: "copy secrets from one source of the chain to another", load: () => import("./commands/copy.js") },
  { name: "diff", summary: "compare two sources: names in one only, values that differ (never values)", load: () => import("./commands/copy.js") },
  { name: "providers", summary: "list LLM providers: key found, source, masked preview, format check", load: () => import("./commands/providers.js") },
  { name: "scan", summary: "find leaked secrets: managed values and known key formats (files, --staged, --git-history)", load: () => import("./commands/scan.js") },
  { name: "hook", summary: "install the git pre-commit hook that runs `hush scan --staged`", load: () => import("./commands/hook.js") },
  { name: "incident", summary: "a compromised secret: rotate and revoke now, where it leaked (tree, git history), who read it, a record; list, close", load: () => import("./commands/incident.js") },
  { name: "audit", summary: "audit trail: log, report, verify (hash chain), quarterly review", load: () => import("./commands/audit.js") },
  { name: "key", summary: "an environment's key: move it (user/file), re-key the store (rotate), export to / import from a passphrase-protected bundle", load: () => import("./commands/key.js") },
  { name: "member", summary: "team members: your key pair; add, list, remove who can open an environment's key", load: () => import("./commands/member.js") },
  { name: "db", summary: "the PostgreSQL store's schema: migrate, status, grant (SQL printed or applied)", load: () => import("./commands/db.js") },
  { name: "rotate", summary: "rotate a secret: create -> pending, set, test, finish; revoke the old value after a grace period", load: () => import("./commands/rotate.js") },
  { name: "gateway", summary: "a local gateway: agents use keys without holding them (handles in place of keys); routes, revoke", load: () => import("./commands/gateway.js") },
  { name: "mcp", summary: "an MCP server on stdio: an AI agent calls your APIs through the gateway, never holding a key", load: () => import("./commands/mcp.js") },
  { name: "redact", summary: "copy stdin to stdout with every managed value replaced by [REDACTED:name]", load: () => import("./commands/redact.js") },
];
