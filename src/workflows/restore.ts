/**
 * `hush restore NAME` and `hush rm --destroy NAME`: the soft-delete controls of sources that keep
 * deleted secrets (the postgres source). The source is the one named, else the first in the
 * chain that has the capability.
 */
import { HushError } from "../errors.js";
import { canonicalName } from "../names.js";
import type { SecretSource } from "../types.js";
import { withProject, type ProjectOptions } from "./project.js";

/** Options of {@link restoreSecret} and {@link destroySecret}. */
export interface SoftDeleteOptions extends ProjectOptions {
  name: string;
  /** The source's name in the chain. @default the first that can */
  source?: string;
}

/** What was done, and where. */
export interface SoftDeleteResult {
  name: string;
  source: string;
  /** False when there was nothing to restore or destroy. */
  done: boolean;
}

/** Undoes a soft delete; its versions come back. */
export async function restoreSecret(options: SoftDeleteOptions): Promise<SoftDeleteResult> {
  return act(options, "restore");
}

/** Purges a secret and every version, for good. */
export async function destroySecret(options: SoftDeleteOptions): Promise<SoftDeleteResult> {
  return act(options, "destroy");
}

// --- internal ---

type Capable = SecretSource & { restore?(name: string): Promise<boolean>; destroy?(name: string): Promise<boolean> };

async function act(options: SoftDeleteOptions, what: "restore" | "destroy"): Promise<SoftDeleteResult> {
  const name = canonicalName(options.name);
  return withProject(options, async ({ manager }) => {
    const sources = manager.sources as readonly Capable[];
    const source = options.source === undefined ? sources.find((s) => typeof s[what] === "function") : sources.find((s) => s.name === options.source);
    if (!source || typeof source[what] !== "function") {
      throw new HushError("INVALID_ARGUMENT", `${options.source === undefined ? "No source in the chain" : `The source "${options.source}"`} can ${what} a secret (sources that keep deleted secrets can: postgres).`, { secret: name });
    }
    return { name, source: source.name, done: await source[what]!(name) };
  });
}
