/**
 * How the Vault source gets its token: a given token (`VAULT_TOKEN`, else `~/.vault-token` as the
 * vault CLI keeps it), AppRole (`role_id`, with `secret_id` from a file or a variable) or
 * Kubernetes (the service-account JWT from its mounted file). A token from a login is renewed
 * (`renew-self`) once two thirds of its lease have passed, and replaced by a new login when it
 * cannot be renewed or has expired. No timer runs: the check is made before each request, so an
 * idle process makes no calls and exits freely.
 *
 * Tokens, secret IDs and JWTs never reach a message: errors name the variable or the file.
 */
import { homedir } from "node:os";
import { join } from "node:path";
import { HushError } from "../../errors.js";
import { readTrustedFile } from "../../fs/read-trusted-file.js";

/** `auth:` in the source's options. */
export interface VaultAuthOptions {
  /** @default "token" */
  method?: "token" | "approle" | "kubernetes";
  /** AppRole: the role_id. */
  roleId?: string;
  /** AppRole: a file holding the secret_id. */
  secretIdFile?: string;
  /** AppRole: the variable holding the secret_id. @default VAULT_SECRET_ID */
  secretIdEnv?: string;
  /** Kubernetes: the Vault role. */
  role?: string;
  /** Kubernetes: the service-account token file. @default /var/run/secrets/kubernetes.io/serviceaccount/token */
  jwtFile?: string;
  /** Where the auth method is mounted. @default "approle" / "kubernetes" */
  mount?: string;
}

/** A token and what is known of its lease. */
export interface HeldToken {
  token: string;
  /** ms since the epoch when it was obtained, and its lease in ms (undefined: unknown or none). */
  obtainedAt: number;
  leaseMs?: number;
  renewable: boolean;
}

/** What a login call answers (`auth` of the reply), already checked. */
export interface LoginReply {
  client_token: string;
  lease_duration: number;
  renewable: boolean;
}

/** Sends a login or renewal and returns its `auth`; supplied by the client (it owns HTTP and retries). */
export type AuthCall = (path: string, body: unknown, token?: string) => Promise<LoginReply>;

/** The token holder. */
export interface VaultAuth {
  /** True when a new token can be had by logging in (AppRole, Kubernetes). */
  readonly canLogin: boolean;
  /** The token to send now: renewed or replaced first when its lease is mostly gone. */
  token(): Promise<string>;
  /** Drops the token and logs in again (after a 403 found it expired). */
  relogin(): Promise<string>;
  /** Where the token comes from, for messages (`VAULT_TOKEN`, `~/.vault-token`, `AppRole login`). */
  readonly origin: string;
}

/** Makes the token holder for `options`. */
export function createVaultAuth(options: VaultAuthOptions, context: { env: NodeJS.ProcessEnv; source: string; now?: () => number }, call: AuthCall): VaultAuth {
  const now = context.now ?? Date.now;
  const method = options.method ?? "token";
  if (method === "token") return staticToken(context);
  const login = method === "approle" ? appRoleLogin(options, context, call) : kubernetesLogin(options, context, call);
  let held: Promise<HeldToken> | undefined;
  let renewing: Promise<HeldToken> | undefined;
  const fresh = (): Promise<HeldToken> => {
    const attempt: Promise<HeldToken> = login()
      .then((r) => toHeld(r, now()))
      .catch((e: unknown) => {
        if (held === attempt) held = undefined; // a failed login is not kept: the next read tries again
        throw e;
      });
    held = attempt;
    return attempt;
  };
  const renewOrLogin = async (t: HeldToken): Promise<HeldToken> => {
    if (!t.renewable) return fresh();
    try {
      const renewed = toHeld(await call("auth/token/renew-self", {}, t.token), now());
      held = Promise.resolve({ ...renewed, token: renewed.token || t.token });
      return held;
    } catch {
      return fresh(); // a lease past its max TTL cannot be renewed: a new login
    }
  };
  return {
    canLogin: true,
    origin: method === "approle" ? "AppRole login" : "Kubernetes login",
    async token() {
      const t = await (held ?? fresh());
      if (t.leaseMs === undefined || now() - t.obtainedAt < (t.leaseMs * 2) / 3) return t.token;
      renewing ??= renewOrLogin(t).finally(() => (renewing = undefined));
      return (await renewing).token;
    },
    async relogin() {
      return (await fresh()).token;
    },
  };
}

// --- internal ---

const K8S_JWT = "/var/run/secrets/kubernetes.io/serviceaccount/token";

function toHeld(r: LoginReply, at: number): HeldToken {
  return { token: r.client_token, obtainedAt: at, renewable: r.renewable, ...(r.lease_duration > 0 ? { leaseMs: r.lease_duration * 1000 } : {}) };
}

function staticToken(context: { env: NodeJS.ProcessEnv; source: string }): VaultAuth {
  const fromEnv = context.env.VAULT_TOKEN;
  const file = join(context.env.HOME ?? homedir(), ".vault-token");
  const origin = fromEnv ? "VAULT_TOKEN" : "~/.vault-token";
  let token: string | undefined = fromEnv?.trim() || undefined;
  return {
    canLogin: false,
    origin,
    async token() {
      if (token) return token;
      const text = readTrustedFile(file, { maxBytes: 8192, what: "the Vault token file", source: context.source })?.toString("utf8").trim();
      if (!text) throw new HushError("ACCESS_DENIED", `${context.source}: no Vault token: VAULT_TOKEN is not set and ${file} does not exist.`, { source: context.source, hint: "Set VAULT_TOKEN, run `vault login`, or configure auth.method approle or kubernetes in hush.yaml." });
      return (token = text);
    },
    relogin() {
      return Promise.reject(new HushError("INTERNAL", "A given token cannot log in again."));
    },
  };
}

function appRoleLogin(options: VaultAuthOptions, context: { env: NodeJS.ProcessEnv; source: string }, call: AuthCall): () => Promise<LoginReply> {
  return async () => {
    if (!options.roleId) throw new HushError("CONFIG_INVALID", `${context.source}: auth.method approle needs auth.roleId in hush.yaml.`, { source: context.source });
    const variable = options.secretIdEnv ?? "VAULT_SECRET_ID";
    const secretId = options.secretIdFile ? readSecretFile(options.secretIdFile, "the AppRole secret_id file", context.source) : context.env[variable]?.trim();
    if (!secretId) throw new HushError("ACCESS_DENIED", `${context.source}: no AppRole secret_id: ${options.secretIdFile ? `${options.secretIdFile} is missing or empty` : `${variable} is not set`}.`, { source: context.source, hint: "Give the secret_id in auth.secretIdFile or the variable auth.secretIdEnv names (VAULT_SECRET_ID by default)." });
    return call(`auth/${options.mount ?? "approle"}/login`, { role_id: options.roleId, secret_id: secretId });
  };
}

function kubernetesLogin(options: VaultAuthOptions, context: { source: string }, call: AuthCall): () => Promise<LoginReply> {
  return async () => {
    if (!options.role) throw new HushError("CONFIG_INVALID", `${context.source}: auth.method kubernetes needs auth.role in hush.yaml.`, { source: context.source });
    const jwtFile = options.jwtFile ?? K8S_JWT;
    const jwt = readSecretFile(jwtFile, "the service-account token file", context.source);
    if (!jwt) throw new HushError("ACCESS_DENIED", `${context.source}: the service-account token ${jwtFile} is missing or empty; is a service account mounted in this pod?`, { source: context.source });
    return call(`auth/${options.mount ?? "kubernetes"}/login`, { role: options.role, jwt });
  };
}

function readSecretFile(path: string, what: string, source: string): string | undefined {
  return readTrustedFile(path, { maxBytes: 65536, what, source })?.toString("utf8").trim() || undefined;
}
