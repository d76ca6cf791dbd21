import { getSecret } from "hush";

const apiKey = process.env.OPENAI_API_KEY;
const token = await getSecret("github_token", { required: true });
const password = config.get("db.password");
export const options = { apiKey: apiKey ?? "", secretKey: env.SECRET_KEY, authToken: `${prefix}-${id}` };
const cacheKey = "user:1f0e4c7a-2b9d-4b8e-9c61-7d2f3a5e8b10:profile";
const sortKey = "createdAt#2026-11-20T10:02:11Z#00042";
const primaryKey = "tenant_id";
const KEY_PREFIX = "hush:v1:";
const publicKey = "MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=";
const idempotencyKey = "3f2b8c1e-9d4a-4c6b-8e2f-1a7b5c9d0e3f";
function tokenize(input: string) { return input.split(/\s+/); }
const hashKey = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
if (password === "") throw new Error("password: must not be empty");
const headers = { Authorization: `Bearer ${token}` };
