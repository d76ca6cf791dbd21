/**
 * The numbered migrations of the hush schema in PostgreSQL, oldest first. `hush db migrate`
 * applies the ones a database lacks, in order, in one transaction under an advisory lock
 * (./migrate.ts). A migration is never edited once released: a change is a new entry at the end
 * with the next number. `sql(schema)` receives the schema already quoted (`"hush"`).
 *
 * What is stored (docs/postgres.md): no name and no value in clear. `stores` has one row per
 * environment (its random store id, and the id of the key that wrote it); `secrets` one row per
 * name, keyed by an HMAC of the name, with the name itself encrypted and the labels
 * `current`/`previous`/`pending` as version numbers; `versions` the envelope-encrypted values;
 * `changes` the change sequence listeners re-read after a reconnect.
 */

/** One migration. */
export interface Migration {
  /** 1, 2, 3, ... without gaps. */
  readonly version: number;
  /** What it does, a few words (shown by `hush db status`). */
  readonly name: string;
  /** The statements, for the quoted schema name. */
  sql(schema: string): string;
}

/** Every migration hush knows, oldest first. Append only. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "secrets store: stores, secrets, versions, changes",
    sql: (s) => `
CREATE TABLE ${s}.stores (
  environment text PRIMARY KEY,
  store_id uuid NOT NULL UNIQUE,
  key_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE ${s}.secrets (
  secret_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  environment text NOT NULL REFERENCES ${s}.stores (environment),
  name_hmac bytea NOT NULL,
  name_box bytea NOT NULL,
  current_version integer,
  previous_version integer,
  pending_version integer,
  latest_version integer NOT NULL DEFAULT 0,
  deleted_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (environment, name_hmac)
);
CREATE TABLE ${s}.versions (
  secret_id bigint NOT NULL REFERENCES ${s}.secrets (secret_id) ON DELETE CASCADE,
  version integer NOT NULL,
  key_id text NOT NULL,
  wrapped_key bytea NOT NULL,
  box bytea NOT NULL,
  write_id uuid NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (secret_id, version)
);
CREATE TABLE ${s}.changes (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  environment text NOT NULL,
  secret_id bigint NOT NULL,
  version integer,
  changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX changes_environment_seq ON ${s}.changes (environment, seq);
`,
  },
];

/** The newest schema version this hush knows. */
export const SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1]!.version;
