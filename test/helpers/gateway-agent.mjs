// The child of `hush run --gateway` in the gateway tests: prints its whole environment as JSON
// on stdout (one line), then calls the OpenAI route the way the SDK would (OPENAI_BASE_URL +
// `/models`, `Authorization: Bearer $OPENAI_API_KEY`) and prints the status and body.
const env = { ...process.env };
process.stdout.write(JSON.stringify(env) + "\n");
const res = await fetch(`${process.env.OPENAI_BASE_URL}/models`, { headers: { authorization: `Bearer ${process.env.OPENAI_API_KEY}` } });
process.stdout.write(JSON.stringify({ status: res.status, body: await res.text() }) + "\n");
