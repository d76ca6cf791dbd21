/**
 * `hush key ...`: an environment's key (docs/keys.md, docs/team.md). Each family of sub-commands
 * registers itself on the group (key-custody.ts: move, rotate; key-transfer.ts: export, import).
 */
import type { Command } from "commander";
import type { CliContext } from "../context.js";
import { registerKeyCustody } from "./key-custody.js";
import { registerKeyTransfer } from "./key-transfer.js";

export function register(program: Command, ctx: CliContext): void {
  const key = program.command("key").description("an environment's key: move it, re-key the store, export and import it");
  registerKeyCustody(key, ctx);
  registerKeyTransfer(key, ctx);
}
