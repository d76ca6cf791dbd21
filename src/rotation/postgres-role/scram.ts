/**
 * SCRAM-SHA-256 password verifiers as PostgreSQL stores them (`pg_authid.rolpassword`), on
 * node:crypto (RFC 5802 / RFC 7677; PostgreSQL's `scram_build_secret`):
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, base64.
 *
 * Why by hand: `ALTER ROLE ... PASSWORD '<verifier>'` sends the server the verifier, not the
 * password (what psql's `\password` does with libpq's PQencryptPasswordConn), so the password
 * never reaches a server log, and the `test` step can check the stored verifier against the new
 * password whatever pg_hba.conf says. node-postgres has no such helper (it does the client side
 * of the exchange only). Passwords here are ASCII letters and digits, which SASLprep leaves as
 * they are, so no normalisation is needed.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";

/** PostgreSQL's default `scram_iterations`. */
export const SCRAM_ITERATIONS = 4096;

/** The verifier of `password` under a fresh random salt. */
export function scramVerifier(password: string, iterations = SCRAM_ITERATIONS, salt: Buffer = randomBytes(16)): string {
  const { storedKey, serverKey } = keysOf(password, salt, iterations);
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}

/** True when `stored` is a SCRAM-SHA-256 verifier of `password` (compared in constant time). */
export function scramMatches(stored: string, password: string): boolean {
  const m = /^SCRAM-SHA-256\$(\d{1,7}):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/.exec(stored);
  if (!m) return false;
  const iterations = Number(m[1]);
  if (iterations < 1) return false;
  const { storedKey, serverKey } = keysOf(password, Buffer.from(m[2]!, "base64"), iterations);
  const wantStored = Buffer.from(m[3]!, "base64");
  const wantServer = Buffer.from(m[4]!, "base64");
  if (wantStored.length !== 32 || wantServer.length !== 32) return false;
  // Both compared, always: no early exit that would time which half differs.
  const a = timingSafeEqual(storedKey, wantStored);
  const b = timingSafeEqual(serverKey, wantServer);
  return a && b;
}

// --- internal ---

function keysOf(password: string, salt: Buffer, iterations: number): { storedKey: Buffer; serverKey: Buffer } {
  const salted = pbkdf2Sync(Buffer.from(password, "utf8"), salt, iterations, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  return {
    storedKey: createHash("sha256").update(clientKey).digest(),
    serverKey: createHmac("sha256", salted).update("Server Key").digest(),
  };
}
