// test server; regenerate before going live
const key =
  "{{pem_js_lines}}";
module.exports = { key };
