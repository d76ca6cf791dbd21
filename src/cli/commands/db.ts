/**
 * `hush db migrate|status|grant`: the PostgreSQL store's schema. The database is the one the
 * project's `type: postgres` source names (hush.yaml), unless `--url` / `--schema` are given.
 */
import type { Command } from "commander";
import { databaseStatus, grantDatabaseAccess, migrateDatabase, HushError, type DatabaseOptions, type DbAccess, type GrantDatabaseAccessOptions } from "../../index.js";
import { err, out, outJson, type CliContext } from "../context.js";
import type { Mapped } from "../flags.js";
import { globalOptions, projectFrom } from "../open-manager.js";

interface DbFlags {
  url?: string;
  schema?: string;
  json?: boolean;
}

export function register(program: Command, ctx: CliContext): void {
  const db = program.command("db").description("the PostgreSQL store's schema: migrate, status, grant");
  withTarget(db.command("migrate").description("create or upgrade the hush schema (numbered migrations, one transaction, advisory lock)")).action(async (opts: DbFlags, cmd: Command) => {
    err(ctx, "migrating...");
    const r = await migrateDatabase(target(cmd, ctx, opts));
    if (json(cmd, opts)) return outJson(ctx, r);
    if (r.applied.length === 0) out(ctx, `schema "${r.schema}" is current (version ${r.to})`);
    else for (const m of r.applied) out(ctx, `applied ${m.version}: ${m.name}`);
    if (r.applied.length > 0) out(ctx, `schema "${r.schema}": version ${r.from} -> ${r.to}`);
  });
  withTarget(db.command("status").description("show the schema version, its migrations and the roles with access")).action(async (opts: DbFlags, cmd: Command) => {
    const s = await databaseStatus(target(cmd, ctx, opts));
    if (json(cmd, opts)) return outJson(ctx, s);
    const state = { current: "current", behind: "behind: run `hush db migrate`", ahead: "newer than this hush: upgrade hush", missing: "no hush schema: run `hush db migrate`" }[s.state];
    out(ctx, `${s.target} schema "${s.schema}": version ${s.version} (this hush knows ${s.known}; ${state})`);
    for (const m of s.migrations) out(ctx, `  ${m.version}  ${m.name}  (${m.appliedAt.toISOString()}, hush ${m.hushVersion})`);
    if (s.roles.length > 0) out(ctx, "roles:");
    for (const r of s.roles) out(ctx, `  ${r.role}: ${r.access}`);
  });
  withTarget(
    db
      .command("grant")
      .description("print (or --apply) the SQL that gives a role read, write or admin access")
      .requiredOption("--role <name>", "an existing role")
      .requiredOption("--access <level>", "read | write | admin")
      .option("--apply", "run the statements (one transaction) instead of printing them"),
  ).action(async (opts: DbFlags & { role: string; access: string; apply?: boolean }, cmd: Command) => {
    if (!["read", "write", "admin"].includes(opts.access)) throw new HushError("INVALID_ARGUMENT", "--access must be read, write or admin.");
    const options: Mapped<GrantDatabaseAccessOptions> & GrantDatabaseAccessOptions = { ...target(cmd, ctx, opts), role: opts.role, access: opts.access as DbAccess, apply: opts.apply };
    const r = await grantDatabaseAccess(options);
    if (json(cmd, opts)) return outJson(ctx, r);
    for (const statement of r.statements) out(ctx, `${statement};`);
    if (r.applied) err(ctx, `applied: ${opts.role} has ${opts.access} access`);
  });
}

// --- internal ---

function withTarget(command: Command): Command {
  return command
    .option("--url <url>", "connection string without a password (default: the postgres source's in hush.yaml)")
    .option("--schema <name>", "schema (default: the source's, else hush)")
    .option("--json", "print the result as JSON");
}

function target(cmd: Command, ctx: CliContext, opts: DbFlags): Mapped<DatabaseOptions> {
  const { cwd, environment, env, loaded } = projectFrom(cmd, ctx);
  return { cwd, environment, env, loaded, url: opts.url, schema: opts.schema };
}

function json(cmd: Command, opts: DbFlags): boolean {
  return !!(opts.json || globalOptions(cmd).json);
}
