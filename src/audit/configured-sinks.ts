/**
 * The audit sinks hush.yaml names (`audit: { sinks: [jsonl, postgres] }`), as auditor options:
 * the JSONL file is the auditor's default; `postgres` is the sink on the database of the chain's
 * postgres source (its url / urlEnv, schema and timeouts). Nothing connects here.
 */
import { HushError } from "../errors.js";
import type { LoadedConfig } from "../config/types.js";
import type { AuditorOptions } from "./auditor.js";
import { createPostgresAuditSink, type PostgresAuditSink } from "./postgres-sink.js";

/** `sinks` or `addSinks` for {@link createAuditor}; empty for the default (the JSONL file only). */
export async function configuredAuditSinks(loaded: LoadedConfig, env: NodeJS.ProcessEnv): Promise<Pick<AuditorOptions, "sinks" | "addSinks">> {
  const names = loaded.config.auditSettings?.sinks ?? ["jsonl"];
  if (!names.includes("postgres")) return {};
  const pg = postgresAuditSinkOf(loaded, env);
  return names.includes("jsonl") ? { addSinks: [pg] } : { sinks: [pg] };
}

/** The postgres sink on the chain's postgres source's database; CONFIG_INVALID when the chain has none. */
export function postgresAuditSinkOf(loaded: LoadedConfig, env: NodeJS.ProcessEnv): PostgresAuditSink {
  const source = loaded.config.sources?.find((s) => s.type === "postgres");
  if (!source) {
    throw new HushError("CONFIG_INVALID", "hush.yaml names the postgres audit sink (audit.sinks) but no `- type: postgres` source gives its connection.", {
      hint: "Add the postgres source to `sources:` (hush init --postgres), or remove postgres from audit.sinks.",
    });
  }
  const o = source.options as { url?: string; urlEnv?: string; schema?: string; readUrl?: string; statementTimeoutMs?: number; connectTimeoutMs?: number };
  return createPostgresAuditSink({
    environment: loaded.environment,
    url: o.url,
    urlEnv: o.urlEnv,
    schema: o.schema,
    readUrl: o.readUrl,
    statementTimeoutMs: o.statementTimeoutMs,
    connectTimeoutMs: o.connectTimeoutMs,
    poolSize: 2,
    env,
  });
}
