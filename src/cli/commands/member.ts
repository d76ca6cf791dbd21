/**
 * `hush member keygen | add | list | remove`: team members and `.hush/members.<env>.json`
 * (docs/team.md). Public keys are public, so they may be given on the command line; no key or
 * passphrase ever is.
 */
import type { Command } from "commander";
import { addProjectMember, generateMemberIdentity, listProjectMembers, removeProjectMember, type AddProjectMemberOptions, type RemoveProjectMemberOptions } from "../../index.js";
import { err, out, outJson, type CliContext } from "../context.js";
import type { Mapped } from "../flags.js";
import { EXIT_FOUND } from "../exit-codes.js";
import { globalOptions, projectFrom } from "../open-manager.js";

const HELP = `
A team shares an environment's key without copying key files:
  1. each member runs \`hush member keygen\` once per machine and hands out the public key it prints;
  2. someone who holds the key runs \`hush member add NAME --public-key KEY --env prod\` and commits
     .hush/members.prod.json (public data only);
  3. with \`keys: { prod: { provider: team } }\` in hush.yaml, a listed member's machine opens prod
     with its own key pair.
\`hush member remove NAME\` removes a member and re-keys the environment (they kept the old key).
`;

export function register(program: Command, ctx: CliContext): void {
  const member = program.command("member").description("team members: your key pair, and who can open an environment's key").addHelpText("after", HELP);
  member
    .command("keygen")
    .description("make your X25519 key pair (~/.config/hush/member/, 0600) unless you have one; print its public key")
    .option("--json", "print { publicKey, path, created } as JSON")
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const r = await generateMemberIdentity({ env: ctx.env });
      if (opts.json || globalOptions(cmd).json) return outJson(ctx, r);
      err(ctx, r.created ? `created your key pair: ${r.path} (0600)` : `you already have a key pair (${r.path}); it is kept`);
      err(ctx, "your public key (give it to whoever adds you; it is not secret):");
      out(ctx, r.publicKey);
    });
  member
    .command("add <name>")
    .description("wrap the environment's key to a member's public key in .hush/members.<env>.json")
    .requiredOption("--public-key <key>", "the member's public key (hush-x25519:...), as `hush member keygen` printed it")
    .option("--json", "print what changed as JSON")
    .action(async (name: string, opts: { publicKey: string; json?: boolean }, cmd: Command) => {
      const options = { ...projectFrom(cmd, ctx), name, publicKey: opts.publicKey } satisfies Mapped<AddProjectMemberOptions>;
      const r = await addProjectMember(options);
      if (opts.json || globalOptions(cmd).json) return outJson(ctx, r);
      err(ctx, `added ${r.name} to ${r.environment}: ${r.path} (commit it)`);
      if (r.provider !== "team") err(ctx, `note: hush.yaml's key provider for ${r.environment} is ${r.provider}; members open the key with \`keys: { ${r.environment}: { provider: team } }\``);
    });
  member
    .command("list")
    .description("list the members of the environment (names and public keys)")
    .option("--json", "print the list as JSON")
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const r = await listProjectMembers(projectFrom(cmd, ctx));
      if (opts.json || globalOptions(cmd).json) return outJson(ctx, r);
      if (r.members.length === 0) return err(ctx, `${r.environment} has no members (${r.path})`);
      for (const m of r.members) out(ctx, `${m.name}\t${m.publicKey}`);
    });
  member
    .command("remove <name>")
    .description("remove a member and re-key the environment (a removed member kept the old key)")
    .option("--json", "print what changed as JSON")
    .action(async (name: string, opts: { json?: boolean }, cmd: Command) => {
      const options = { ...projectFrom(cmd, ctx), name } satisfies Mapped<RemoveProjectMemberOptions>;
      const r = await removeProjectMember(options);
      if (opts.json || globalOptions(cmd).json) outJson(ctx, r);
      else err(ctx, `removed ${r.name} from ${r.environment}: ${r.path} (${r.remaining} member(s) left; commit it)`);
      if (r.rekeyed) return err(ctx, `re-keyed ${r.environment}: the key ${r.name} held opens nothing now`);
      // Never a silent half-done removal: the removed person can still open the store.
      err(ctx, `NOT RE-KEYED: ${r.name} kept the ${r.environment} key and can still open any copy of the store (${r.notRekeyedReason}). Re-key the environment now: hush key rotate --env ${r.environment}`);
      ctx.exitCode = EXIT_FOUND;
    });
}
