/**
 * `hush list [--explain NAME]`, `hush history NAME`, `hush rollback NAME --to <version>`.
 * Names, sources, versions and ages only: never values.
 */
import type { Command } from "commander";
import { HushError, type RemoteLocationInfo } from "../../index.js";
import { err, out, outJson, type CliContext } from "../context.js";
import { globalOptions, openManager } from "../open-manager.js";
import { age, table } from "../format.js";

export function register(program: Command, ctx: CliContext): void {
  program
    .command("list")
    .description("list secrets: name, winning source, version, age and shadowed sources (never values)")
    .option("--explain [name]", "with a name: that secret in full, every source and where it looks; alone: every secret with its remote mapping (key#property@version)")
    .option("--json", "machine-readable output")
    .action(async (opts: { explain?: string | true; json?: boolean }, cmd: Command) => {
      const json = opts.json || globalOptions(cmd).json;
      const m = await openManager(cmd, ctx);
      try {
        if (typeof opts.explain === "string") {
          const x = await m.explain(opts.explain);
          if (json) return outJson(ctx, x);
          out(ctx, `${x.name}  (variable ${x.envName})  ${x.winner ? `served by ${x.winner}` : "not provided by any source"}`);
          out(ctx, table(["SOURCE", "FOUND", "VERSION", "AGE", "WHERE", "MAPPING"], x.sources.map((s) => [s.source, s.error ? `error: ${s.error}` : s.found ? (s.source === x.winner ? "yes (wins)" : "yes (shadowed)") : "no", s.version?.toString() ?? "-", age(s.updatedAt), s.location ?? "-", mapping(s.remote)])));
          for (const note of x.notes ?? []) out(ctx, `note: ${note}`);
          return;
        }
        const list = await m.list();
        if (json) return outJson(ctx, list);
        if (list.length === 0) return err(ctx, "no secrets yet: add one with `printf %s \"$VALUE\" | hush set NAME`");
        if (opts.explain === true) return out(ctx, table(["NAME", "SOURCE", "VERSION", "AGE", "REMOTE", "FROM"], list.map((l) => [l.name, l.source, l.version?.toString() ?? "-", age(l.updatedAt), l.remote?.address ?? "-", l.remote ? (l.remote.mapped ? "hush.yaml remote" : "name under path") : "-"])));
        out(ctx, table(["NAME", "SOURCE", "VERSION", "AGE", "SHADOWED"], list.map((l) => [l.name, l.source, l.version?.toString() ?? "-", age(l.updatedAt), l.shadowed.join(", ") || "-"])));
      } finally {
        await m.dispose();
      }
    });

  program
    .command("history")
    .description("show a secret's versions, newest first (without values)")
    .argument("<name>", "secret name")
    .option("--source <name>", "the versioned source to ask (default: the first writable)")
    .option("--json", "machine-readable output")
    .action(async (name: string, opts: { source?: string; json?: boolean }, cmd: Command) => {
      const m = await openManager(cmd, ctx);
      try {
        const versions = await m.versions(name, { source: opts.source });
        if (opts.json || globalOptions(cmd).json) return outJson(ctx, versions);
        if (versions.length === 0) throw new HushError("NOT_FOUND", `"${name}" has no stored versions.`, { secret: name });
        out(ctx, table(["VERSION", "CREATED", "AGE", "LABELS"], versions.map((v, i) => [String(v.version), v.createdAt.toISOString(), age(v.createdAt), (v.labels ?? (i === 0 ? ["current"] : i === 1 ? ["previous"] : [])).join(", ") || "-"])));
      } finally {
        await m.dispose();
      }
    });

  program
    .command("rollback")
    .description("make an old version current again (as a new version; history is kept)")
    .argument("<name>", "secret name")
    .requiredOption("--to <version>", "version number to restore")
    .option("--source <name>", "the versioned source (default: the first writable)")
    .option("--json", "machine-readable output")
    .action(async (name: string, opts: { to: string; source?: string; json?: boolean }, cmd: Command) => {
      const version = Number(opts.to);
      if (!Number.isInteger(version) || version < 1) throw new HushError("INVALID_ARGUMENT", `--to must be a version number (1, 2, ...), not "${opts.to.slice(0, 20)}".`);
      const m = await openManager(cmd, ctx);
      try {
        const r = await m.rollback(name, version, { source: opts.source });
        if (opts.json || globalOptions(cmd).json) return outJson(ctx, { name: r.name, source: r.source, version: r.version, restoredFrom: version });
        err(ctx, `${r.name}: version ${version} restored as version ${r.version} in ${r.source}`);
      } finally {
        await m.dispose();
      }
    });
}

// --- internal ---

/** `secret/data/apps/llm#openai @3 (hush.yaml)`, or `-` for a source that is not remote. */
function mapping(remote: RemoteLocationInfo | undefined): string {
  if (!remote) return "-";
  return `${remote.address}${remote.version !== undefined ? ` @${remote.version}` : ""} (${remote.mapped ? "hush.yaml remote" : "name under path"})`;
}
