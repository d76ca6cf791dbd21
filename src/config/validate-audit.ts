/**
 * hush.yaml's `audit:`: a mode (`best-effort`, `required`, `off`), or a mapping with the mode
 * and the roll-up window of cached reads (docs/audit.md):
 *
 * ```yaml
 * audit:
 *   mode: required
 *   rollupWindow: 60s   # 0: one record per cached read
 *   sinks: [jsonl, postgres]   # default [jsonl]; postgres uses the postgres source's connection
 * ```
 */
import type { AuditSinkName, HushConfig } from "./types.js";
import { isMapping, type AddProblem, type ConfigPath } from "./options-schema.js";
import { checkKeys } from "./validate-text.js";

const AUDIT_KEYS = ["mode", "rollupWindow", "sinks"];
const AUDIT_SINKS = ["jsonl", "postgres"] as const;
const AUDIT_MODES: readonly HushConfig["audit"][] = ["best-effort", "required", "off"];

/** Sets `config.audit` (and `auditSettings`) from `raw`: `audit: required`, or the mapping `audit: { mode: required, rollupWindow: 60s }`. */
export function checkAudit(raw: unknown, config: HushConfig, add: AddProblem): void {
  const modeOf = (v: unknown, at: ConfigPath): void => {
    if (typeof v === "string" && (AUDIT_MODES as readonly string[]).includes(v)) config.audit = v as HushConfig["audit"];
    else add(at, `expected one of ${AUDIT_MODES.join(", ")}.`);
  };
  if (!isMapping(raw)) return modeOf(raw, ["audit"]);
  checkKeys(raw, ["audit"], AUDIT_KEYS, add);
  if ("mode" in raw) modeOf(raw.mode, ["audit", "mode"]);
  if ("rollupWindow" in raw) {
    const ms = durationMs(raw.rollupWindow);
    if (ms === undefined) add(["audit", "rollupWindow"], "expected a duration such as 60s, 5m or 1h (or 0: one record per cached read), at most 24h.");
    else config.auditSettings = { ...config.auditSettings, rollupWindowMs: ms };
  }
  if ("sinks" in raw) {
    const sinks = raw.sinks;
    const ok = Array.isArray(sinks) && sinks.length > 0 && sinks.every((x) => (AUDIT_SINKS as readonly unknown[]).includes(x)) && new Set(sinks).size === sinks.length;
    if (!ok) add(["audit", "sinks"], `expected a list of one or more of ${AUDIT_SINKS.join(", ")} (each once).`);
    else config.auditSettings = { ...config.auditSettings, sinks: sinks as AuditSinkName[] };
  }
}

/** `90` (seconds), `500ms`, `60s`, `5m`, `1h`; up to a day. */
function durationMs(v: unknown): number | undefined {
  const m = typeof v === "number" ? [String(v), String(v), "s"] : typeof v === "string" ? /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(v.trim()) : null;
  if (!m) return undefined;
  const ms = Number(m[1]) * { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[(m[2] ?? "s") as "ms" | "s" | "m" | "h"];
  return Number.isFinite(ms) && ms >= 0 && ms <= 86_400_000 ? Math.round(ms) : undefined;
}
