/**
 * The manager's listings: `names` (every name the chain lists: the one way to list them),
 * `list` (each name with the source that wins and what it shadows) and `explain` (one name,
 * source by source). Values are read to find the winner but never returned.
 */
import { errorCodeOf, HushError } from "./errors.js";
import { assertNoCollisions, canonicalName, envName, findHeldName } from "./names.js";
import type { ManagerContext } from "./manager-context.js";
import type { SecretsManager } from "./manager-types.js";
import type { RemoteLocationInfo, SecretExplanation, SecretListing, SecretRecord, SecretSource } from "./types.js";

/**
 * Every name any source of the chain lists, without reading a value: once per canonical name,
 * spelled as the first source in the chain holds it (the Python layout keeps its keys' case:
 * `AZURE_OPENAI_API_KEY`), sorted by canonical name.
 */
export async function listNames(ctx: Pick<ManagerContext, "sources">): Promise<string[]> {
  const all = new Map<string, string>();
  const lists = await Promise.all(ctx.sources.map((s) => s.list()));
  lists.forEach((names, i) => {
    // One source holding two spellings of one name (the Python layout keeps `API_KEY` and
    // `api_key` apart) gives one variable two values: refused, naming both (FAULTS 14).
    const spelled = new Map<string, string>();
    for (const n of names) {
      const canonical = canonicalName(n);
      const other = spelled.get(canonical);
      if (other !== undefined && other !== n) assertNoCollisions([other, n], `the ${ctx.sources[i]!.name} source`);
      spelled.set(canonical, n);
      if (!all.has(canonical)) all.set(canonical, n);
    }
  });
  return [...all.keys()].sort().map((c) => all.get(c)!);
}

/** The listing methods of a manager over `ctx`. */
export function createListings(ctx: ManagerContext): Pick<SecretsManager, "names" | "list" | "explain"> {
  return {
    names: () => listNames(ctx),

    async list(): Promise<SecretListing[]> {
      const all = await listNames(ctx);
      assertNoCollisions(all.map((n) => canonicalName(n)), "the configured sources");
      const listings: SecretListing[] = [];
      for (const name of all) {
        const found: SecretRecord[] = [];
        for (const s of ctx.sources) {
          const r = await s.get(name);
          if (r) found.push(r);
        }
        const winner = found[0];
        if (!winner) continue;
        const remote = remoteOf(ctx.sources.find((s) => s.name === winner.source), name);
        listings.push({ name, envName: envName(name), source: winner.source, shadowed: found.slice(1).map((r) => r.source), version: winner.version, updatedAt: winner.updatedAt, ...(remote ? { remote } : {}) });
      }
      return listings;
    },

    async explain(name): Promise<SecretExplanation> {
      const canonical = await heldSpelling(ctx, name);
      const rows: SecretExplanation["sources"] = [];
      for (const s of ctx.sources) {
        const remote = remoteOf(s, canonical);
        const mapping = remote ? { remote } : {};
        try {
          const r = await s.get(canonical);
          rows.push(r ? { source: s.name, found: true, version: r.version, updatedAt: r.updatedAt, location: r.location, ...mapping } : { source: s.name, found: false, ...mapping });
        } catch (e) {
          rows.push({ source: s.name, found: false, error: e instanceof HushError ? `${e.code}: ${e.message}` : `error (${errorCodeOf(e) ?? "unknown"})`, ...mapping });
        }
      }
      const notes = pythonMappingNotes(ctx, canonical);
      return { name: canonical, envName: envName(canonical), winner: rows.find((r) => r.found)?.source, sources: rows, ...(notes.length ? { notes } : {}) };
    },
  };
}

// --- internal ---

/** Where `source` keeps `name`, when it is a remote source that says (no network call); a failure to say is no mapping. */
function remoteOf(source: SecretSource | undefined, name: string): RemoteLocationInfo | undefined {
  try {
    return source?.remoteLocation?.(name);
  } catch (_e) {
    return undefined; // e.g. a malformed remote.version: the read in the same row shows the error
  }
}

/** `name` as the chain lists it (`DATABASE_CONFIG` -> `database.config`), canonical; as asked when the listing fails (explain shows each source's error). */
async function heldSpelling(ctx: ManagerContext, name: string): Promise<string> {
  const canonical = canonicalName(name);
  try {
    return canonicalName(findHeldName(name, await listNames(ctx)) ?? canonical);
  } catch (_e) {
    // A source that cannot list (or a collision) shows up in the rows below, source by source.
    return canonical;
  }
}

/**
 * The Python reference maps a name to its variable with `key.upper().replace(".", "_")` only;
 * hush also maps `-`. With a Python (mallku) source in the chain, a name with `-` is overridden
 * for hush and `hush run` by one variable, and for the Python app by another: say so.
 */
function pythonMappingNotes(ctx: ManagerContext, name: string): string[] {
  if (!name.includes("-") || !ctx.sources.some((s) => s.name === "mallku")) return [];
  const python = name.toUpperCase().replace(/\./g, "_");
  return [
    `The Python app reads this name's override from $${python} (Python maps only '.' to '_'); hush and \`hush run\` use $${envName(name)}. ` +
      `A variable ${envName(name)} overrides the stored value for hush, not for the Python app; and in the Python file, "${name}" and "${envName(name)}" are two keys, which hush refuses as one variable.`,
  ];
}
