/** `--since` of `hush audit log|report`: a date or a duration ago, as an ISO time. */
import { HushError } from "../index.js";

/** `7d`, `24h`, `30m`, `2w` ago, or an ISO date/time; returns an ISO string. */
export function parseSince(text: string, now = Date.now()): string {
  const rel = /^(\d+)([mhdw])$/.exec(text.trim());
  if (rel) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[rel[2] as "m" | "h" | "d" | "w"];
    return new Date(now - Number(rel[1]) * unit).toISOString();
  }
  const t = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(t)) throw new HushError("INVALID_ARGUMENT", `--since takes a date (2026-01-31, 2026-01-31T12:00Z) or a duration (30m, 24h, 7d, 2w), not ${JSON.stringify(text.slice(0, 30))}.`);
  return new Date(t).toISOString();
}
