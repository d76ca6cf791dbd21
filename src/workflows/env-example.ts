/**
 * `hush env-example` as a library call: builds `.env.example` (names and comments, never
 * values) and writes it when its text changed.
 *
 * @example
 * const { path, changed } = await writeEnvExample({ cwd: process.cwd() });
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { buildEnvExample } from "../config/env-example.js";
import { writeFileAtomic } from "../fs/atomic-write.js";
import { withProject, type ProjectOptions } from "./project.js";

/** Options of {@link writeEnvExample}. */
export interface WriteEnvExampleOptions extends ProjectOptions {
  /** Where to write, relative to `cwd`. @default <project>/.env.example */
  output?: string;
  /** Build the text only; write nothing. @default false */
  dryRun?: boolean;
}

/** The example file: where, its text, the names it lists, and whether it was (or would be) rewritten. */
export interface EnvExampleResult {
  path: string;
  text: string;
  names: string[];
  /** The text differs from the file on disk (or there is none). */
  changed: boolean;
  /** The file was written (changed and not a dry run). */
  written: boolean;
}

/** Builds `.env.example` and writes it (0644, atomically) when its text changed. */
export async function writeEnvExample(options: WriteEnvExampleOptions = {}): Promise<EnvExampleResult> {
  const example = await withProject(options, ({ manager, loaded }) => buildEnvExample(manager, loaded));
  const path = options.output ? resolve(options.cwd ?? process.cwd(), options.output) : example.path;
  const changed = readOrUndefined(path) !== example.text;
  const written = changed && !options.dryRun;
  if (written) await writeFileAtomic(path, example.text, { mode: 0o644 });
  return { path, text: example.text, names: example.names, changed, written };
}

// --- internal ---

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (_e) {
    // Missing or unreadable: write it; a real write problem surfaces from writeFileAtomic.
    return undefined;
  }
}
