/**
 * `hush audit report`: per secret, the sources that served it, how often it was read and
 * written, the first and last access, and the distinct actors and processes, aggregated over
 * every record in the log (every process that wrote to it). A roll-up counts as its `count`
 * reads, from its `time` to its `last`.
 */
import type { AuditEntry } from "./record.js";

/** One secret's line of the report. */
export interface SecretAccessSummary {
  secretId: string;
  /** The name, when the caller could map the id back. */
  name: string | undefined;
  /** Sources that served or took it, in order of first appearance. */
  sources: string[];
  /** Read events (every outcome). */
  reads: number;
  /** Reads served. */
  served: number;
  /** Reads that found nothing. */
  missing: number;
  /** Accesses denied or failed (reads and writes). */
  failed: number;
  /** Writes, deletes and rollbacks. */
  writes: number;
  firstAccess: string;
  lastAccess: string;
  /** Distinct `user@host`. */
  actors: string[];
  /** Distinct processes (`host:pid`). */
  processes: number;
  /** Requests through `hush gateway` with this secret's key, per route (absent: none). */
  gateway?: GatewayUse[];
}

/** One route's use in {@link SecretAccessSummary.gateway}. */
export interface GatewayUse {
  route: string;
  requests: number;
  /** Refused by the gateway (handle, policy, revocation) or failed upstream. */
  refused: number;
  /** Tokens counted on a route with a token or spend cap (absent: no record had any). */
  inputTokens?: number;
  outputTokens?: number;
}

/**
 * Aggregates records into one summary per secret id, most-read first.
 * @example const rows = await buildAccessReport(readAuditRecords(path), ids.nameOf);
 */
export async function buildAccessReport(records: AsyncIterable<AuditEntry> | Iterable<AuditEntry>, nameOf: (secretId: string) => string | undefined = () => undefined): Promise<SecretAccessSummary[]> {
  const tally = createAccessTally(nameOf);
  for await (const r of records) tally.add(r);
  return tally.rows();
}

/** {@link buildAccessReport} one record at a time (the fast reader pushes records). */
export interface AccessTally {
  add(record: AuditEntry): void;
  rows(): SecretAccessSummary[];
}

/** Creates an empty {@link AccessTally}. */
export function createAccessTally(nameOf: (secretId: string) => string | undefined = () => undefined): AccessTally {
  const rows = new Map<string, Row>();
  return {
    add(r) {
      let row = rows.get(r.secretId);
      if (!row) {
        row = { secretId: r.secretId, name: nameOf(r.secretId), sources: [], reads: 0, served: 0, missing: 0, failed: 0, writes: 0, firstAccess: r.time, lastAccess: r.time, lastActor: undefined, actorSet: new Set(), processSet: new Set() };
        rows.set(r.secretId, row);
      }
      const n = r.count ?? 1;
      if (r.source !== null && !row.sources.includes(r.source)) row.sources.push(r.source);
      if (r.action === "gateway-request") {
        const route = r.detail?.route ?? r.source?.replace(/^gateway:/, "") ?? "?";
        const use = (row.gateway ??= []).find((g) => g.route === route) ?? row.gateway[row.gateway.push({ route, requests: 0, refused: 0 }) - 1]!;
        use.requests += n;
        if (r.outcome !== "served") use.refused += n;
        if (r.detail?.inputTokens !== undefined) {
          use.inputTokens = (use.inputTokens ?? 0) + r.detail.inputTokens;
          use.outputTokens = (use.outputTokens ?? 0) + (r.detail.outputTokens ?? 0);
        }
      } else if (r.action === "read") {
        row.reads += n;
        if (r.outcome === "served") row.served += n;
        else if (r.outcome === "missing") row.missing += n;
      } else row.writes += n;
      if ((r.outcome === "denied" || r.outcome === "error") && r.action !== "gateway-request") row.failed += n;
      const last = r.last ?? r.time;
      if (r.time < row.firstAccess) row.firstAccess = r.time;
      if (last > row.lastAccess) row.lastAccess = last;
      // The fast reader shares one actor object per process: skip the strings when it repeats.
      if (r.actor !== row.lastActor) {
        row.lastActor = r.actor;
        row.actorSet.add(`${r.actor.user}@${r.actor.host}`);
        row.processSet.add(`${r.actor.host}:${r.actor.pid}`);
      }
    },
    rows: () =>
      [...rows.values()]
        .map(({ actorSet, processSet, lastActor: _last, ...rest }) => ({ ...rest, actors: [...actorSet].sort(), processes: processSet.size }))
        .sort((a, b) => b.reads - a.reads || (a.name ?? a.secretId).localeCompare(b.name ?? b.secretId)),
  };
}

/** The report as a text table. */
export function formatAccessReport(rows: readonly SecretAccessSummary[]): string {
  if (rows.length === 0) return "No access recorded.\n";
  const head = ["SECRET", "SOURCE", "READS", "WRITES", "FAILED", "FIRST ACCESS", "LAST ACCESS", "ACTORS", "PROCS"];
  const body = rows.map((r) => [
    r.name ?? `id:${r.secretId.slice(0, 12)}`,
    r.sources.join(",") || "-",
    String(r.reads),
    String(r.writes),
    String(r.failed),
    shortTime(r.firstAccess),
    shortTime(r.lastAccess),
    r.actors.join(","),
    String(r.processes),
  ]);
  const uses = rows.flatMap((r) => (r.gateway ?? []).map((g) => ({ g, secret: r.name ?? `id:${r.secretId.slice(0, 12)}` })));
  // Token columns only when some route counted tokens (a route with maxTokens or maxSpend).
  const tokens = uses.some(({ g }) => g.inputTokens !== undefined);
  const gateway = uses.map(({ g, secret }) => [g.route, secret, String(g.requests), String(g.refused), ...(tokens ? [String(g.inputTokens ?? "-"), String(g.outputTokens ?? "-")] : [])]);
  const table = formatTable(head, body);
  const gatewayHead = ["GATEWAY ROUTE", "SECRET", "REQUESTS", "REFUSED", ...(tokens ? ["TOKENS IN", "TOKENS OUT"] : [])];
  return gateway.length === 0 ? table : `${table}\n${formatTable(gatewayHead, gateway)}`;
}

/** Left-aligned columns, two spaces apart. */
export function formatTable(head: string[], body: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd();
  return [line(head), ...body.map(line)].join("\n") + "\n";
}

/** `2026-03-01T10:00:00.000Z` -> `2026-03-01 10:00Z`. */
export function shortTime(iso: string): string {
  return iso.length >= 16 ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}Z` : iso;
}

// --- internal ---

interface Row extends Omit<SecretAccessSummary, "actors" | "processes"> {
  lastActor: object | undefined;
  actorSet: Set<string>;
  processSet: Set<string>;
}
