/**
 * The parts of the `pg` driver hush uses, as its own structural types: `pg` is an optional peer
 * dependency, so hush's published .d.ts files must not import its types (a program without
 * `pg` or `@types/pg` would not type-check). connect.ts casts pg's objects to these once.
 */

/** A query's result. */
export interface PgResult<R> {
  rows: R[];
  rowCount: number | null;
}

/** Something that runs a query: a pool, a pooled client, a client. */
export interface PgQueryable {
  // The row type is the caller's promise about its own SELECT, as with pg's own `query<R>`.
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<PgResult<R>>;
  /** A named (prepared) statement: parsed and planned once per connection, then only bound and run. */
  query<R = Record<string, unknown>>(config: { name: string; text: string; values?: unknown[] }): Promise<PgResult<R>>;
}

/** A client checked out of a pool. */
export interface PgPoolClient extends PgQueryable {
  release(destroy?: boolean): void;
  on(event: "error", listener: (e: Error) => void): unknown;
  off(event: "error", listener: (e: Error) => void): unknown;
}

/** A pool (pg.Pool). */
export interface PgPool extends PgQueryable {
  connect(): Promise<PgPoolClient>;
  end(): Promise<void>;
  on(event: "error", listener: (e: Error) => void): unknown;
}

/** A notification received by LISTEN. */
export interface PgNotification {
  channel: string;
  payload?: string;
}

/** A dedicated client (pg.Client): the listener's session connection. */
export interface PgClient extends PgQueryable {
  connect(): Promise<void>;
  end(): Promise<void>;
  on(event: "notification", listener: (n: PgNotification) => void): unknown;
  on(event: "error", listener: (e: Error) => void): unknown;
  on(event: "end", listener: () => void): unknown;
}
