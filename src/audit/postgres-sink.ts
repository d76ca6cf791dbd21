/**
 * The `postgres` audit sink: every instance and machine of a service appends to one table,
 * `<schema>.audit` (migration 2 of src/sources/postgres/migrations.ts), hash-chained per
 * environment with the same v2 record form as the JSONL file (record.ts), so `hush audit report`,
 * `review` and `verify` read one trail for the whole fleet.
 *
 * ```yaml
 * # hush.yaml: the connection is the postgres source's (url / urlEnv, schema)
 * audit: { mode: required, sinks: [postgres] }     # or [jsonl, postgres]
 * sources:
 *   - type: postgres
 * ```
 *
 * Appending: one transaction per batch that takes a transaction-level advisory lock for the
 * environment, reads the last seq and hash, and inserts the batch (one statement). The database
 * checks each row itself (an insert trigger: seq + 1, prev = the last hash, hash of the line),
 * so no role that may insert can break the chain. UPDATE, DELETE and TRUNCATE are revoked and a
 * trigger refuses them even for the owner unless `hush.audit_maintenance` is `on` in the session.
 * Commits are durable (`synchronous_commit` on in required mode): `audit: required` serves a
 * value only once its record is committed. No synchronous `appendSync`: at `process.exit()` what
 * is queued for this sink is lost (see docs/audit.md).
 *
 * `pg` is loaded on the first append or read, never before.
 */
import { createHash } from "node:crypto";
import { HushError } from "../errors.js";
import type { PgConnectionOptions, PgPools } from "../sources/postgres/connect.js";
import type { AuditProblem, AuditVerifyResult } from "./verify.js";
import { encodeRecord, GENESIS_HASH, isAuditRecord, V2_HASH_SUFFIX_BYTES, type AuditEntry, type AuditRecord } from "./record.js";
import type { AuditAppendContext, AuditSink } from "./sink.js";

/** Options of {@link createPostgresAuditSink}. */
export interface PostgresAuditSinkOptions extends PgConnectionOptions {
  /** Environment whose chain is written. */
  environment: string;
  /** The hush schema. @default "hush" */
  schema?: string;
}

/** The postgres sink, with the chain's verification. */
export interface PostgresAuditSink extends AuditSink {
  readonly name: "postgres";
  /** Where: `postgres:host:port/db schema env`, never a password. */
  describe(): Promise<string>;
  /** Checks the environment's chain row by row: seq 1, 2, 3, ..., each prev and hash. */
  verify(): Promise<AuditVerifyResult>;
}

/** Rows read per round trip. */
const PAGE = 5_000;

/** Creates the sink; nothing connects until the first append or read. */
export function createPostgresAuditSink(options: PostgresAuditSinkOptions): PostgresAuditSink {
  const schema = options.schema ?? "hush";
  let pools: Promise<PgPools> | undefined;
  const connect = async () => {
    const { assertIdentifier, openPools } = await import("../sources/postgres/connect.js");
    assertIdentifier(schema);
    return openPools({ ...options, applicationName: options.applicationName ?? "hush-audit" });
  };
  const chain: Chain = {
    environment: options.environment,
    schema,
    table: `"${schema}".audit`,
    open: () => (pools ??= connect().catch((e: unknown) => {
      pools = undefined;
      throw e;
    })),
  };
  return {
    name: "postgres",
    persistent: true,
    append: (entries, context) => appendRows(chain, entries, context),
    async *read(unreadable) {
      for await (const row of readRows(chain)) {
        const record = parseRow(row.line);
        if (record) yield record;
        else unreadable?.add(row.seq, Buffer.byteLength(row.line), "not an audit record (edited)", true);
      }
    },
    describe: () => where(chain),
    verify: () => verifyRows(chain),
    async close() {
      const p = pools;
      pools = undefined;
      if (p) await (await p.catch(() => undefined))?.end();
    },
  };
}

// --- internal ---

/** One environment's chain in one schema, and its pools (opened at the first use). */
interface Chain {
  environment: string;
  schema: string;
  table: string;
  open(): Promise<PgPools>;
}

async function where(c: Chain): Promise<string> {
  return `postgres:${(await c.open()).target} schema ${c.schema} env ${c.environment}`;
}

async function appendRows(c: Chain, entries: readonly AuditEntry[], context: AuditAppendContext): Promise<void> {
  if (entries.length === 0) return;
  const p = await c.open();
  const { inTransaction, toHushError } = await import("../sources/postgres/connect.js");
  try {
    await inTransaction(p.primary, async (client) => {
      if (context.durable) await client.query("SET LOCAL synchronous_commit = on");
      await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [`hush.audit:${c.schema}:${c.environment}`]);
      const last = await client.query<{ seq: string; hash: string }>(`SELECT seq, hash FROM ${c.table} WHERE environment = $1 ORDER BY seq DESC LIMIT 1`, [c.environment]);
      let seq = Number(last.rows[0]?.seq ?? 0);
      let prev = last.rows[0]?.hash ?? GENESIS_HASH;
      const cols: [string[], string[], string[], string[], string[], string[]] = [[], [], [], [], [], []];
      for (const entry of entries) {
        const { line, hash } = encodeRecord(entry, ++seq, prev);
        [String(seq), entry.time, entry.secretId, line, prev, hash].forEach((v, i) => cols[i]!.push(v));
        prev = hash;
      }
      await client.query(
        `INSERT INTO ${c.table} (environment, seq, time, secret_id, line, prev, hash) SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])`,
        [c.environment, ...cols],
      );
    });
  } catch (e) {
    throw toHushError(e, "append audit records", { source: "postgres audit sink", target: p.target });
  }
}

/** The environment's rows in seq order, a page per round trip. */
async function* readRows(c: Chain): AsyncGenerator<{ seq: number; line: string }> {
  const p = await c.open();
  const { toHushError } = await import("../sources/postgres/connect.js");
  let after = 0;
  for (;;) {
    let page;
    try {
      page = await p.read.query<{ seq: string; line: string }>(`SELECT seq, line FROM ${c.table} WHERE environment = $1 AND seq > $2 ORDER BY seq LIMIT ${PAGE}`, [c.environment, after]);
    } catch (e) {
      throw toHushError(e, "read audit records", { source: "postgres audit sink", target: p.target });
    }
    for (const r of page.rows) yield { seq: Number(r.seq), line: r.line };
    if (page.rows.length < PAGE) return;
    after = Number(page.rows[page.rows.length - 1]!.seq);
  }
}

async function verifyRows(c: Chain): Promise<AuditVerifyResult> {
  const problems: AuditProblem[] = [];
  let records = 0;
  let lastSeq = 0;
  let prev = GENESIS_HASH;
  for await (const row of readRows(c)) {
    records++;
    const at = `row seq ${row.seq}`;
    if (row.seq !== lastSeq + 1) problems.push({ kind: "deleted", seq: row.seq, message: `records seq ${lastSeq + 1}-${row.seq - 1} are missing before ${at} (deleted)` });
    const record = parseRow(row.line);
    if (!record || record.seq !== row.seq) {
      problems.push({ kind: "malformed", seq: row.seq, message: `${at} is not an audit record of that seq (edited)` });
      prev = "";
    } else {
      if (lineHash(row.line) !== record.hash) problems.push({ kind: "edited", seq: row.seq, message: `${at}: its content does not match its hash (edited)` });
      else if (record.prev !== prev && row.seq === lastSeq + 1) problems.push({ kind: "edited", seq: row.seq, message: `${at}: prev does not match the hash of seq ${lastSeq}; that record was changed and re-hashed, or replaced` });
      prev = record.hash;
    }
    lastSeq = row.seq;
  }
  const notes = ["records cut from the end under hush.audit_maintenance are not visible in the table alone (keep the JSONL sink beside it for its anchor)"];
  return { ok: problems.length === 0, path: await where(c), lines: records, records, lastSeq, problems, notes };
}

function parseRow(line: string): AuditRecord | undefined {
  try {
    const o: unknown = JSON.parse(line);
    return isAuditRecord(o) ? o : undefined;
  } catch (_e) {
    return undefined; // an edited row: verify reports it; readers count it as unreadable
  }
}

/** SHA-256 of a v2 line's body (before `,"hash":"`). */
function lineHash(line: string): string {
  if (line.length <= V2_HASH_SUFFIX_BYTES) throw new HushError("INTERNAL", "an audit line shorter than its hash");
  return createHash("sha256").update(line.slice(0, -V2_HASH_SUFFIX_BYTES), "utf8").digest("hex");
}
