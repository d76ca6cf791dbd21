// An agent as its author would write it: the SDKs built with no options, configured from the
// environment alone (OPENAI_API_KEY / OPENAI_BASE_URL, ANTHROPIC_API_KEY / ANTHROPIC_BASE_URL).
// Under `hush run --gateway` it holds handles, never the keys. It prints each streamed delta as
// it arrives, then what a prompt-injected agent could dump: its environment, its argv, and (when
// given a path) a heap snapshot of everything in its memory.
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { writeHeapSnapshot } from "node:v8";

const openai = new OpenAI();
const anthropic = new Anthropic();
const messages = [{ role: "user", content: "Say hello." }];

const chat = await openai.chat.completions.create({ model: "gpt-4o-mini", messages });
console.log(`reply openai ${JSON.stringify(chat.choices[0].message.content)}`);
const stream = await openai.chat.completions.create({ model: "gpt-4o-mini", messages, stream: true });
let i = 0;
for await (const chunk of stream) {
  const text = chunk.choices[0]?.delta?.content;
  if (text) console.log(`delta openai ${i++} ${JSON.stringify(text)}`);
}

const message = await anthropic.messages.create({ model: "claude-fake", max_tokens: 256, messages });
console.log(`reply anthropic ${JSON.stringify(message.content[0].text)}`);
const events = await anthropic.messages.create({ model: "claude-fake", max_tokens: 256, messages, stream: true });
i = 0;
for await (const event of events) {
  if (event.type === "content_block_delta" && event.delta.type === "text_delta") console.log(`delta anthropic ${i++} ${JSON.stringify(event.delta.text)}`);
}

// A call the route's allow-list does not cover.
try {
  await openai.files.list();
  console.log("files allowed");
} catch (err) {
  console.log(`files refused ${err.status}`);
}

console.log(`dump ${JSON.stringify({ env: process.env, argv: process.argv, execArgv: process.execArgv })}`);
if (process.argv[2]) console.log(`heap ${writeHeapSnapshot(process.argv[2])}`);
