/**
 * `hush env-example`: a `.env.example` with names and comments, never values. Names come from
 * hush.yaml's `secrets:` (in file order, with description, required/optional, type, owner),
 * then every name the chain lists and every name already in the file (sorted), so regenerating
 * loses nothing and gives the same bytes.
 */
import { join } from "node:path";
import { envName } from "../names.js";
import type { SecretsManager } from "../manager.js";
import { parseEnvExample, readEnvExample, ENV_EXAMPLE_FILE } from "./required.js";
import type { LoadedConfig } from "./types.js";

/** The text of the example file and the names it lists. */
export interface EnvExample {
  /** Default path: `<project>/.env.example`. */
  path: string;
  text: string;
  names: string[];
}

/** Builds the `.env.example` text for a project (reads names, never values). */
export async function buildEnvExample(manager: SecretsManager, loaded: LoadedConfig): Promise<EnvExample> {
  const path = join(loaded.root, ENV_EXAMPLE_FILE);
  const blocks = new Map<string, string[]>();
  for (const [name, p] of Object.entries(loaded.config.secrets)) {
    const lines: string[] = [];
    if (p.description) lines.push(`# ${oneLine(p.description)}`);
    const meta = [p.required ? "required" : "optional", `type: ${p.type}`];
    if (p.owner) meta.push(`owner: ${oneLine(p.owner)}`);
    if (p.rotationDays) meta.push(`rotate every ${p.rotationDays} days`);
    lines.push(`# ${meta.join(" · ")}`);
    blocks.set(envName(name), lines);
  }
  const others = new Map<string, string[]>();
  for (const source of manager.sources) {
    for (const name of await source.list()) {
      const variable = envName(name);
      if (!blocks.has(variable)) others.set(variable, ["# required"]);
    }
  }
  const existing = readEnvExample(loaded.root);
  for (const entry of existing === undefined ? [] : parseEnvExample(existing)) {
    const variable = envName(entry.key);
    if (!blocks.has(variable) && !others.has(variable)) others.set(variable, [entry.optional ? "# optional" : "# required"]);
  }
  for (const variable of [...others.keys()].sort()) blocks.set(variable, others.get(variable)!);
  const parts = [
    "# .env.example — written by `hush env-example`: names only, never values.",
    "# Provide each through hush (`hush set NAME`), the environment or a .env file; `hush check` lists what is missing.",
  ];
  for (const [variable, lines] of blocks) parts.push("", ...lines, `${variable}=`);
  return { path, text: parts.join("\n") + "\n", names: [...blocks.keys()] };
}

// --- internal ---

/** Comments stay on one line and short. */
function oneLine(text: string): string {
  const flat = text.replace(/[\r\n\t]+/g, " ").trim();
  return flat.length > 200 ? `${flat.slice(0, 199)}…` : flat;
}
