/**
 * `hush key ...`: an environment's key (docs/keys.md). Each family of sub-commands registers
 * itself on the group (key-custody.ts: move, rotate).
 */
import type { Command } from "commander";
import type { CliContext } from "../context.js";
import { registerKeyCustody } from "./key-custody.js";

export function register(program: Command, ctx: CliContext): void {
  const key = program.command("key").description("an environment's key: move it, re-key the store");
  registerKeyCustody(key, ctx);
}
