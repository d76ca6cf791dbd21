/**
 * CRC-32C (Castagnoli), the checksum Google Secret Manager and Cloud KMS put beside a payload
 * (`payload.dataCrc32c`, `plaintextCrc32c`). Written here on purpose: node:zlib's `crc32` is the
 * other polynomial (IEEE), and the table-driven algorithm is twelve lines of a published standard
 * (RFC 3720 B.4), which a dependency (with native builds, in the case of the fast ones) would not
 * improve for payloads of at most 64 KiB. Checked against RFC 3720's vectors in
 * test/sources/gcp-crc32c.test.ts.
 */

/** The CRC-32C of `data`, as an unsigned 32-bit integer. */
export function crc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = TABLE[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

// --- internal ---

/** Reflected polynomial 0x1EDC6F41. */
const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();
