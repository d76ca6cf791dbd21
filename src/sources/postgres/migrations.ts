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
 * `changes` the change sequence listeners re-read after a reconnect. `audit` (2) holds the audit
 * records of every instance (src/audit/postgres-sink.ts).
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
  {
    version: 2,
    name: "audit: append-only, hash-chained per environment",
    // Each row is one audit record, `line` exactly as hashed (the v2 form of src/audit/record.ts,
    // without a seal). The insert trigger makes the database itself keep the chain: a row must
    // follow the environment's last one (seq + 1, prev = its hash) and hash to its `hash`, for
    // every role that may insert. UPDATE, DELETE and TRUNCATE are revoked, and refused by a
    // trigger even for the owner, unless the session sets hush.audit_maintenance = 'on'.
    sql: (s) => `
CREATE TABLE ${s}.audit (
  environment text NOT NULL,
  seq bigint NOT NULL CHECK (seq >= 1),
  time text NOT NULL,
  secret_id text NOT NULL,
  line text NOT NULL,
  prev text NOT NULL,
  hash text NOT NULL,
  written_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (environment, seq)
);
CREATE FUNCTION ${s}.audit_chain() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  last_hash text;
BEGIN
  IF NEW.seq = 1 THEN
    last_hash := repeat('0', 64);
  ELSE
    SELECT a.hash INTO last_hash FROM ${s}.audit a WHERE a.environment = NEW.environment AND a.seq = NEW.seq - 1;
  END IF;
  IF last_hash IS NULL OR NEW.prev <> last_hash THEN
    RAISE EXCEPTION 'hush audit: record % does not follow the chain of its environment', NEW.seq USING ERRCODE = 'P0H01';
  END IF;
  IF left(NEW.line, 13) <> '{"v":2,"seq":' OR position(('{"v":2,"seq":' || NEW.seq || ',"prev":"' || NEW.prev || '","time":"' || NEW.time || '"') IN NEW.line) <> 1
     OR right(NEW.line, 75) <> (',"hash":"' || NEW.hash || '"}')
     OR NEW.hash <> encode(sha256(convert_to(left(NEW.line, -75), 'UTF8')), 'hex') THEN
    RAISE EXCEPTION 'hush audit: record % is not a hashed record', NEW.seq USING ERRCODE = 'P0H02';
  END IF;
  RETURN NEW;
END
$fn$;
CREATE FUNCTION ${s}.audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF current_setting('hush.audit_maintenance', true) = 'on' THEN
    IF TG_LEVEL = 'STATEMENT' THEN RETURN NULL; END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'hush audit records are append-only: % refused (set hush.audit_maintenance = on for maintenance)', TG_OP USING ERRCODE = 'P0H03';
END
$fn$;
CREATE TRIGGER audit_chain BEFORE INSERT ON ${s}.audit FOR EACH ROW EXECUTE FUNCTION ${s}.audit_chain();
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON ${s}.audit FOR EACH ROW EXECUTE FUNCTION ${s}.audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON ${s}.audit FOR EACH STATEMENT EXECUTE FUNCTION ${s}.audit_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON ${s}.audit FROM PUBLIC;
REVOKE UPDATE, DELETE, TRUNCATE ON ${s}.audit FROM CURRENT_USER;
CREATE INDEX audit_environment_secret ON ${s}.audit (environment, secret_id);
`,
  },
];

/** The newest schema version this hush knows. */
export const SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1]!.version;
