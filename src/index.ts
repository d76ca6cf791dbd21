/**
 * hush — the public API. Only re-exports; see the README for a tour.
 *
 * @example
 * import { createSecretsManager, getSecret, HushError } from "hush";
 * const apiKey = await getSecret("openai_api_key", { required: true });
 */
export { createSecretsManager, getSecret } from "./manager.js";
export type { SecretsManager, SecretsManagerOptions, GetOptions, WriteOptions, AuditHook } from "./manager.js";
export { HushError, isHushError, hintFor, ERROR_CODES } from "./errors.js";
export type { HushErrorCode, HushErrorOptions } from "./errors.js";
export { canonicalName, envName, findCollisions } from "./names.js";
export type * from "./types.js";
export { createEnvSource } from "./sources/env.js";
export type { EnvSourceOptions } from "./sources/env.js";
export { createDotenvSource } from "./sources/dotenv.js";
export type { DotenvSourceOptions } from "./sources/dotenv.js";
export { createLocalSource } from "./sources/local.js";
export type { LocalSourceOptions } from "./sources/local.js";
export { createMallkuSource } from "./sources/mallku.js";
export type { MallkuSourceOptions } from "./sources/mallku.js";
export { fernetEncrypt, fernetDecrypt, generateFernetKey, parseFernetKey } from "./crypto/fernet.js";
export type { FernetKey, FernetEncryptOptions, FernetDecryptOptions } from "./crypto/fernet.js";
