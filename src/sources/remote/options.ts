/**
 * Options every remote source shares, as schema fields: durations (`30s`, `5m`, `1h`), `cacheTtl`,
 * `timeout` and `offlineCache: { maxStaleness, dir }` (the last-known-good copy on disk, see
 * ./last-known-good.ts). A source spreads {@link remoteOptions} into its own schema.
 *
 * @example
 * const schema = { address: option.string({ description: "..." }), ...remoteOptions };
 */
import { option, type FieldSpec, type OptionField } from "../../config/options-schema.js";

/** `250ms`, `30s`, `5m`, `1h`, `2d`, or a number of seconds, as ms; undefined when not one. */
export function parseDuration(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) && v >= 0 ? Math.round(v * 1000) : undefined;
  if (typeof v !== "string") return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(v);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * UNIT_MS[(m[2] ?? "s") as keyof typeof UNIT_MS]);
}

/** A duration option: accepts `30s`, `5m`, `1h`... and yields ms. `default` is in ms. */
export function durationOption<const S extends FieldSpec<number> & { maxMs?: number }>(spec: S): OptionField<number, S extends { default: number } ? true : false> {
  return {
    docType: "duration (`30s`, `5m`, `1h`)",
    ...spec,
    check(value, path, add) {
      const ms = parseDuration(value);
      if (ms === undefined || (spec.maxMs !== undefined && ms > spec.maxMs)) {
        add(path, `expected a duration such as 30s, 5m or 1h${spec.maxMs !== undefined ? ` (at most ${spec.maxMs / 1000}s)` : ""}.`);
        return undefined;
      }
      return ms;
    },
  };
}

/** The `offlineCache` mapping: last-known-good values on disk, encrypted. */
export const offlineCacheOption = option.object(
  {
    maxStaleness: durationOption({ description: "how old a last-known-good value may be and still be served when the backend is unreachable", default: 3_600_000, docDefault: "1h" }),
    dir: option.path({ description: "folder of the encrypted copies (0700)", docDefault: "<secrets folder>/offline" }),
  },
  { description: "keep an encrypted last-known-good copy of each value read, served with a warning when the backend is unreachable; off when absent" },
);

/** The options every remote source shares. */
export const remoteOptions = {
  cacheTtl: durationOption({ description: "how long a value read is served from memory before it is read again (0: no cache)", default: 60_000, docDefault: "60s" }),
  timeout: durationOption({ description: "per-request timeout", default: 10_000, docDefault: "10s", maxMs: 600_000 }),
  offlineCache: offlineCacheOption,
};

// --- internal ---

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
