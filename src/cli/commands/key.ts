/**
 * `hush key ...`: an environment's key (docs/keys.md, docs/team.md). Each family of sub-commands
 * registers itself on the group.
 */
import type { Command } from "commander";
import type { CliContext } from "../context.js";
import { registerKeyTransfer } from "./key-transfer.js";

export function register(program: Command, ctx: CliContext): void {
  const key = program.command("key").description("an environment's key: export, import");
  registerKeyTransfer(key, ctx);
}
