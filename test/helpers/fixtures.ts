/** Paths of the test fixtures (copied byte for byte from shared/testdata; see their READMEs). */
import { fileURLToPath } from "node:url";
import { existsSync } from "node:fs";

export const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));
export const FERNET_VECTORS = `${FIXTURES}fernet/`;
export const MALLKU_FIXTURE = `${FIXTURES}mallku-python/`;
/** The team's shared copy, read in place when it sits beside the repository (as in CI). */
export const SHARED_MALLKU = fileURLToPath(new URL("../../../shared/testdata/mallku-python/", import.meta.url));
export const HAS_SHARED_MALLKU = existsSync(`${SHARED_MALLKU}.secrets`);
/** Debian's Python with python3-cryptography (installed by .ci/run). */
export const PYTHON = "/usr/bin/python3";
