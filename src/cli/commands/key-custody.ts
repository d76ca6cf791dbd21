/**
 * `hush key move --to user|file|<provider>` and `hush key rotate [--keep-old]` (for the environment of
 * -e/--env, HUSH_ENV or hush.yaml). Paths only, never a key.
 */
import type { Command } from "commander";
import { moveKey, rotateKey, type MoveKeyOptions, type RotateKeyOptions } from "../../index.js";
import { err, outJson, type CliContext } from "../context.js";
import type { Mapped } from "../flags.js";
import { globalOptions, projectFrom } from "../open-manager.js";

/** Adds `move` and `rotate` to the `key` group. */
export function registerKeyCustody(key: Command, ctx: CliContext): void {
  key
    .command("move")
    .description("move the environment's key: --to user (out of the project, ~/.config/hush/keys/<project>/), --to file (.secrets/), or --to the provider hush.yaml's keys.<env> names (aws-kms, gcp-kms, vault-transit, passphrase, team)")
    .requiredOption("--to <where>", "user, file, or a provider type named by hush.yaml's keys.<env>")
    .option("--json", "print what moved as JSON")
    .addHelpText("after", "\nThe key is copied, read back, then removed from where it was; it is never lost on the way.\n--to user needs `project: <id>` in hush.yaml (hush init writes it for new projects).\nTo adopt a KMS: add keys: { prod: { provider: aws-kms, keyId: ... } } to hush.yaml, then\n`hush key move --to aws-kms --env prod` wraps the existing key there and removes the plain copy.")
    .action(async (opts: { to: string; json?: boolean }, cmd: Command) => {
      const options: Mapped<MoveKeyOptions> = { ...projectFrom(cmd, ctx), to: opts.to };
      const r = await moveKey({ ...options, to: opts.to });
      if (opts.json || globalOptions(cmd).json) return outJson(ctx, r);
      if (!r.moved) return err(ctx, `the ${r.environment} key already is with the ${r.to.provider} provider: ${r.to.where}`);
      err(ctx, `moved the ${r.environment} key from ${r.from.provider} (${r.from.where}) to ${r.to.provider} (${r.to.where}, 0600)`);
    });
  key
    .command("rotate")
    .description("re-key the environment's store: a new key, the store re-encrypted under the lock and read back, then the key replaced")
    .option("--keep-old", "keep the old key as <key>.old (0600; a wrapped key stays wrapped); without it the old key is gone")
    .option("--json", "print what was done as JSON")
    .addHelpText("after", "\nAfter it, the old key opens nothing. A crash at any point leaves the old store with the old key or the\nnew store with the new key (the next hush command settles an interrupted rotation).\nSupports keys kept in a file (file, user), wrapped in one (aws-kms, gcp-kms, vault-transit, passphrase:\nthe new key is wrapped by the same KMS key or passphrase), and team keys.")
    .action(async (opts: { keepOld?: boolean; json?: boolean }, cmd: Command) => {
      const options: Mapped<RotateKeyOptions> = { ...projectFrom(cmd, ctx), keepOld: opts.keepOld === true };
      const r = await rotateKey(options);
      if (opts.json || globalOptions(cmd).json) return outJson(ctx, r);
      err(ctx, `re-keyed ${r.environment}: ${r.reencrypted ? "the store is re-encrypted under a new key" : "no store yet; a new key"} (${r.provider}: ${r.keyPath})${r.keptOld ? `; the old key is kept as ${r.keptOld}` : "; the old key is gone"}`);
    });
}
