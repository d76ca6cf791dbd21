/**
 * Fake, format-valid secrets for the scanner tests, assembled from fragments at run time
 * so that no format-valid key sits in the repository (push-protection scanners would flag it).
 */
import { createHmac, generateKeyPairSync, randomInt } from "node:crypto";
import { isPlaceholder } from "../../src/scan/validate.js";

export const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const B64URL = ALNUM + "_-";

/** Random string over `alphabet`; always holds at least one digit and one letter when the alphabet has both. */
export function rand(alphabet: string, n: number): string {
  for (;;) {
    let s = "";
    for (let i = 0; i < n; i++) s += alphabet[randomInt(alphabet.length)];
    const needsDigit = /\d/.test(alphabet) && n >= 8;
    const needsLetter = /[A-Za-z]/.test(alphabet) && n >= 8;
    // Not a draw that spells a placeholder by chance ("dUmMy", "xXxxX": about 1 in 50,000 at 250 characters).
    if ((!needsDigit || /\d/.test(s)) && (!needsLetter || /[A-Za-z]/.test(s)) && !/(.)\1{4}/.test(s) && !isPlaceholder(s)) return s;
  }
}

const j = (...p: string[]) => p.join("");

/** One fake per rule id. */
export const FAKE: Record<string, () => string> = {
  "anthropic-api-key": () => j("sk", "-ant-", "api03-", rand(B64URL, 93), "AA"),
  "openai-api-key": () => j("sk", "-proj-", rand(B64URL, 74), "T3Blbk", "FJ", rand(B64URL, 74)),
  "google-api-key": () => j("AI", "za", "Sy", rand(B64URL, 33)),
  "mistral-api-key": () => rand(ALNUM, 32),
  "xai-api-key": () => j("xa", "i-", rand(ALNUM, 80)),
  "groq-api-key": () => j("gs", "k_", rand(ALNUM, 52)),
  "openrouter-api-key": () => j("sk", "-or-v1-", rand("0123456789abcdef", 64)),
  "huggingface-token": () => j("h", "f_", rand(ALNUM, 34)),
  "aws-access-key-id": () => j("AK", "IA", rand("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)),
  "aws-secret-access-key": () => rand(ALNUM + "+/", 40),
  "github-token": () => j("gh", "p_", rand(ALNUM, 36)),
  "github-fine-grained-pat": () => j("github", "_pat_", rand(ALNUM, 22), "_", rand(ALNUM, 59)),
  "gitlab-token": () => j("gl", "pat-", rand(B64URL, 20)),
  "slack-token": () => j("xo", "xb-", rand("0123456789", 11), "-", rand("0123456789", 13), "-", rand(ALNUM, 24)),
  "slack-webhook": () => j("https://hooks.", "slack.com/services/T", rand("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", 8), "/B", rand("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", 10), "/", rand(ALNUM, 24)),
  "stripe-secret-key": () => j("sk", "_live_", rand(ALNUM, 40)),
  "npm-token": () => j("np", "m_", rand(ALNUM, 36)),
  "sendgrid-api-key": () => j("S", "G.", rand(B64URL, 22), ".", rand(B64URL, 43)),
  jwt: () => {
    const b = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const head = j(b({ alg: "HS256", typ: "JWT" }), ".", b({ sub: "4411", role: "admin", iat: 1763600000 }));
    return j(head, ".", createHmac("sha256", rand(ALNUM, 32)).update(head).digest("base64url"));
  },
  "database-url-password": () => j("postgres", "://app:", rand(ALNUM, 20), "@db.internal:5432/app"),
  "generic-secret": () => rand(ALNUM, 32),
  "npmrc-auth": () => j(rand("0123456789abcdef", 8), "-", rand("0123456789abcdef", 4), "-4", rand("0123456789abcdef", 3), "-a", rand("0123456789abcdef", 3), "-", rand("0123456789abcdef", 12)),
  "age-secret-key": () => j("AGE-SECRET", "-KEY-1", rand("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58)),
  "curl-basic-auth": () => rand(ALNUM + "!#%^*_-", 20),
  "url-password": () => rand(ALNUM, 20),
  "aws-bedrock-api-key": () =>
    j("AB", "SK", Buffer.from(j("BedrockAPIKey-", rand(ALNUM, 4), "-at-", rand("0123456789", 12), ":", rand(ALNUM + "+/", 60))).toString("base64")),
};

/** A real PKCS#1 RSA private key (generated now). */
export function fakePem(type: "rsa" | "ec" = "rsa"): string {
  const { privateKey } = type === "rsa" ? generateKeyPairSync("rsa", { modulusLength: 1024 }) : generateKeyPairSync("ec", { namedCurve: "P-256" });
  return privateKey.export({ type: type === "rsa" ? "pkcs1" : "sec1", format: "pem" }).toString().trimEnd();
}
