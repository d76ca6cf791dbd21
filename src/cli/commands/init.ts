/**
 * `hush init [--env <name>]`: creates `.secrets/` (0700), the environment's key (0600, never
 * overwritten), a commented hush.yaml and `.gitignore` lines. Safe to run twice; says what it did.
 */
import type { Command } from "commander";
import { relative, resolve } from "node:path";
import { initProject, type InitProjectOptions } from "../../index.js";
import { err, outJson, type CliContext } from "../context.js";
import type { Mapped } from "../flags.js";
import { globalOptions } from "../open-manager.js";

export function register(program: Command, ctx: CliContext): void {
  program
    .command("init")
    .description("create .secrets/ (0700), the environment's key (0600), a commented hush.yaml, and git-ignore .secrets/ and .env")
    .option("--json", "print what was created and kept as JSON")
    .option("--postgres", "add the postgres source (the shared production store) to hush.yaml; see docs/postgres.md")
    .option("--force-new-key", "when the key is lost but its store exists: move the store aside (never deleted) and make a new key")
    .addHelpText("after", "\nThe key is created for the environment given by -e/--env, else $HUSH_ENV, else hush.yaml's `environment`, else dev.\nAn existing key is never overwritten; running init again changes nothing.\nWhen the key is missing but a store of the environment exists, init refuses: restore the key\nfrom your backup. --force-new-key gives up that data: it moves the store aside into\n.secrets/orphaned-<env>-<time>/ (never deleted) and makes a new key.")
    .action(async (opts: { json?: boolean; forceNewKey?: boolean; postgres?: boolean }, cmd: Command) => {
      const g = globalOptions(cmd);
      const options: Mapped<InitProjectOptions> = { cwd: g.cwd, environment: g.env, secretsDir: g.secretsDir, env: ctx.env, forceNewKey: opts.forceNewKey === true, postgres: opts.postgres === true };
      const r = await initProject(options);
      if (opts.json || g.json) {
        outJson(ctx, r);
        return;
      }
      const base = resolve(g.cwd ?? process.cwd());
      const show = (p: string) => {
        const r = relative(base, p);
        return r && !r.startsWith("..") ? r : p;
      };
      if (r.movedAside) err(ctx, `moved the store files of ${r.environment} written with the lost key into ${show(r.movedAside)}/`);
      err(ctx, `${r.created.secretsDir ? "created" : "kept"} ${show(r.secretsDir)}/ (0700)`);
      err(ctx, `${r.created.key ? "created" : "kept the existing"} key for ${r.environment}: ${show(r.keyFile)} (0600)`);
      err(ctx, `${r.created.config ? "wrote a commented" : "kept"} ${show(r.configFile)}`);
      err(ctx, r.gitignoreAdded.length ? `added ${r.gitignoreAdded.join(", ")} to ${show(r.gitignore)}` : `${show(r.gitignore)} already ignores the secrets folder, .env and .env.*`);
      if (r.postgres === "written") err(ctx, `added the postgres source to ${show(r.configFile)}; next: export HUSH_DATABASE_URL=postgres://USER@HOST:5432/DB, then hush db migrate`);
      if (r.postgres === "present") err(ctx, `${show(r.configFile)} already has a postgres source`);
      if (r.postgres === "manual") err(ctx, `${show(r.configFile)} has its own sources: add the postgres source to them:\n${r.postgresSection}`);
      if (r.created.key) err(ctx, `next: printf %s "$KEY" | hush set openai_api_key${r.environment === "dev" ? "" : ` --env ${r.environment}`}`);
    });
}
