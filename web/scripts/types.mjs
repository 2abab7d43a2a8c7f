// Compiles the hub's published JSON Schema (docs/protocol/schema/, written by `python -m hub.schema`)
// into one TypeScript module, src/protocol.gen.ts: the public view of a meeting and its parts, the
// pushed event, and the payload of every client event. `node scripts/types.mjs` writes it (`npm run
// types`); `--check` exits 1 when the file differs from what the schema gives (`npm run build` checks
// first); `--print` writes it to stdout instead.
import { isDeepStrictEqual } from "node:util";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { compile } from "json-schema-to-typescript";

const SCHEMA = new URL("../../docs/protocol/schema/", import.meta.url);
const OUT = new URL("../src/protocol.gen.ts", import.meta.url);
// The two documents that are not payloads, and the names their types take (the model's name, except
// that an exported Event would hide the DOM's).
const VIEWS = { "meeting.json": "Meeting", "event.json": "HubEvent" };
// What the hub pushes besides meeting.events (hub/pushes.py), named as their models.
const PUSHES = {
  "push.vote.tally.json": "VoteTally",
  "push.meeting.presence.json": "PresenceCounts",
  "push.reaction.burst.json": "ReactionBurst",
};

const BANNER = `// Generated from docs/protocol/schema/ by web/scripts/types.mjs: do not edit.
// After a model changes: \`python -m hub.schema docs/protocol/schema\`, then \`npm run types\` in web/.`;

// Walks a schema by its keywords, so that a property *named* "title" is told from the keyword.
function walk(schema, visit) {
  if (typeof schema !== "object" || schema === null) return schema;
  const out = visit({ ...schema });
  for (const key of ["properties", "patternProperties", "$defs"]) {
    if (out[key]) out[key] = Object.fromEntries(Object.entries(out[key]).map(([k, v]) => [k, walk(v, visit)]));
  }
  for (const key of ["items", "additionalProperties"]) {
    if (typeof out[key] === "object") out[key] = walk(out[key], visit);
  }
  for (const key of ["anyOf", "allOf", "oneOf", "prefixItems"]) {
    if (out[key]) out[key] = out[key].map((s) => walk(s, visit));
  }
  return out;
}

// Shapes the compiler would turn into noise: pydantic titles every field ("Member Id"), and the
// compiler makes each title a named type, so types are named by their key in $defs instead; a $ref
// with a default or readOnly beside it would be copied out as a new type rather than named; a key's
// pattern cannot be said in TypeScript. The documents' own $schema and $id have no place in the whole.
function plain(schema) {
  return walk(schema, (s) => {
    for (const key of ["title", "$schema", "$id"]) delete s[key];
    if (s.$ref) for (const key of ["default", "readOnly"]) delete s[key];
    if (s.patternProperties && !s.properties) {
      s.additionalProperties = { anyOf: Object.values(s.patternProperties) };
      if (s.additionalProperties.anyOf.length === 1) s.additionalProperties = s.additionalProperties.anyOf[0];
      delete s.patternProperties;
    }
    return s;
  });
}

function renamed(schema, names) {
  return walk(schema, (s) => {
    const name = s.$ref?.replace("#/$defs/", "");
    if (name in names) s.$ref = `#/$defs/${names[name]}`;
    return s;
  });
}

// "meeting.set_status" -> "MeetingSetStatus", the name of its model in hub/commands.py.
function pascal(event) {
  return event
    .split(/[._]/)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join("");
}

async function load(file) {
  return plain(JSON.parse(await readFile(new URL(file, SCHEMA), "utf8")));
}

// One schema holding every document under $defs: the view's parts keep their names; a payload's part
// that is the same as the view's is shared, one that differs (a payload leaves out what has a default)
// becomes NameInput.
async function combined() {
  const files = (await readdir(SCHEMA)).filter((f) => f.endsWith(".json")).sort();
  const defs = {};
  const add = (name, schema) => {
    if (name in defs && !isDeepStrictEqual(defs[name], schema)) throw new Error(`two different types named ${name}`);
    defs[name] = schema;
  };
  for (const [file, name] of Object.entries({ ...VIEWS, ...PUSHES })) {
    const { $defs = {}, ...root } = await load(file);
    for (const [part, schema] of Object.entries($defs)) add(part, schema);
    add(name, root);
  }
  const payloads = {};
  for (const file of files.filter((f) => !(f in VIEWS) && !(f in PUSHES))) {
    const event = file.slice(0, -".json".length);
    const { $defs = {}, ...root } = await load(file);
    const names = {};
    for (const [part, schema] of Object.entries($defs)) {
      names[part] = part in defs && !isDeepStrictEqual(defs[part], schema) ? `${part}Input` : part;
    }
    for (const [part, schema] of Object.entries($defs)) add(names[part], renamed(schema, names));
    if (pascal(event) in defs) throw new Error(`the payload of ${event} is named like a part: ${pascal(event)}`);
    add(pascal(event), renamed(root, names));
    payloads[event] = { $ref: `#/$defs/${pascal(event)}` };
  }
  // Everything hangs off one root, so every type is reached through a $ref and named by its key.
  add("Payloads", {
    description: "The payload of each client event, by the event's name.",
    type: "object",
    properties: payloads,
    required: Object.keys(payloads),
    additionalProperties: false,
  });
  const ROOTS = ["Meeting", "HubEvent", ...Object.values(PUSHES), "Payloads"];
  return {
    title: "Protocol",
    description: "What crosses the wire: the public view of a meeting, a pushed event, every payload.",
    type: "object",
    properties: Object.fromEntries(ROOTS.map((n) => [n, { $ref: `#/$defs/${n}` }])),
    required: ROOTS,
    additionalProperties: false,
    $defs: defs,
  };
}

async function generate() {
  return compile(await combined(), "Protocol", {
    bannerComment: BANNER,
    additionalProperties: false,
    // Lists are arrays whatever their bounds, not unions of tuples.
    ignoreMinAndMaxItems: true,
  });
}

const text = await generate();
if (process.argv.includes("--print")) {
  process.stdout.write(text);
} else if (process.argv.includes("--check")) {
  const current = await readFile(OUT, "utf8").catch(() => "");
  if (current !== text) {
    console.error("src/protocol.gen.ts is out of date with docs/protocol/schema/: run `npm run types` in web/.");
    process.exit(1);
  }
} else {
  await writeFile(OUT, text);
}
