/**
 * One row per provider for `hush providers` and `hush doctor`: is a key found, under which
 * name and from which source, a masked preview, and whether its format is valid. The rows
 * hold no value, so they can be printed and serialised as they are.
 */
import { HushError } from "../errors.js";
import { checkKeyFormat, maskKey } from "./format-check.js";
import { resolveProviderKey, type SecretReader } from "./lookup.js";
import { PROVIDERS } from "./registry.js";

/** The state of one provider's key. Never a value. */
export interface ProviderCheck {
  provider: string;
  displayName: string;
  keyRequired: boolean;
  found: boolean;
  /** The lookup name that supplied the key. */
  name?: string;
  source?: string;
  /** Public prefix and length only, e.g. `sk-proj-…(164 chars)`. */
  preview?: string;
  /** `ok`, `mismatch`, `unchecked` (no documented format), or `missing` (no key, or `error` is set: the lookup failed). */
  format: "ok" | "mismatch" | "unchecked" | "missing";
  formatReason?: string;
  /** Names looked for, in order (useful when `found` is false). */
  lookedFor: string[];
  /** Collision and error lines, safe to print. */
  warnings: string[];
  /** Set when a source failed while looking (code and message; messages never hold values). */
  error?: { code: string; message: string };
}

/**
 * Checks every provider in the registry through `manager`. A source failure is reported in
 * that provider's row, not thrown, so one broken source does not hide the other rows.
 * @example for (const row of await providerChecks(hush)) if (row.format === "mismatch") console.warn(row.provider, row.formatReason);
 */
export async function providerChecks(manager: SecretReader): Promise<ProviderCheck[]> {
  const rows: ProviderCheck[] = [];
  for (const p of PROVIDERS) {
    const base = { provider: p.id, displayName: p.displayName, keyRequired: p.keyRequired };
    try {
      const key = await resolveProviderKey(p, manager);
      if (!key.record) {
        rows.push({ ...base, found: false, format: "missing", lookedFor: key.lookedFor, warnings: key.warnings });
        continue;
      }
      const check = checkKeyFormat(p, key.record.value);
      rows.push({
        ...base,
        found: true,
        name: key.name,
        source: key.source,
        preview: maskKey(key.record.value),
        format: check.status,
        ...(check.status === "mismatch" ? { formatReason: check.reason } : {}),
        lookedFor: key.lookedFor,
        warnings: key.warnings,
      });
    } catch (e) {
      // Only HushError messages are shown: they never hold values. Anything else is reduced to its type.
      const error = e instanceof HushError ? { code: e.code, message: e.message } : { code: "INTERNAL", message: `unexpected ${e instanceof Error ? e.name : typeof e}` };
      rows.push({ ...base, found: false, format: "missing", lookedFor: [], warnings: [], error });
    }
  }
  return rows;
}
