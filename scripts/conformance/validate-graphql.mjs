#!/usr/bin/env node
// Validate GraphQL documents against GitHub's published GraphQL schema
// (@octokit/graphql-schema's validate(), installed by scripts/conformance-setup).
//
//   node validate-graphql.mjs FILE...        one document per file, named after the file
//   node validate-graphql.mjs < docs.json    a JSON array of documents on standard input:
//                                            "query { … }", ["name", "query { … }"] or
//                                            {"name": "…", "document": "query { … }"}
//
// Options: --json prints one JSON array `[{"name", "valid", "errors": ["…"]}]` instead of text.
// Exit status: 0 every document is valid, 1 at least one is not, 2 usage or setup error.
// The schema package is loaded from ${FIREBREAK_CONFORMANCE_DIR:-$HOME/.cache/firebreak-conformance}.
import { readFileSync, existsSync } from 'node:fs';
import { join, basename } from 'node:path';
import { homedir } from 'node:os';
import { pathToFileURL } from 'node:url';

function fail(message) {
  console.error(`validate-graphql: ${message}`);
  process.exit(2);
}

const args = process.argv.slice(2);
const json = args.includes('--json');
const files = args.filter((a) => a !== '--json');

const dir = process.env.FIREBREAK_CONFORMANCE_DIR || join(homedir(), '.cache', 'firebreak-conformance');
const pkgDir = join(dir, 'node_modules', '@octokit', 'graphql-schema');
if (!existsSync(join(pkgDir, 'package.json'))) {
  fail(`@octokit/graphql-schema is not installed in ${dir}: run scripts/conformance-setup`);
}
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
const entry = pkg.exports?.['.']?.import ?? pkg.main ?? 'index.js';
const { validate } = await import(pathToFileURL(join(pkgDir, entry)).href);

let documents;
if (files.length > 0) {
  documents = files.map((file) => ({ name: basename(file), document: readFileSync(file, 'utf8') }));
} else {
  let parsed;
  try {
    parsed = JSON.parse(readFileSync(0, 'utf8'));
  } catch (e) {
    fail(`standard input is not a JSON array of documents: ${e.message}`);
  }
  if (!Array.isArray(parsed)) fail('standard input must be a JSON array');
  documents = parsed.map((item, i) => {
    if (typeof item === 'string') return { name: `#${i}`, document: item };
    if (Array.isArray(item) && item.length === 2) return { name: String(item[0]), document: String(item[1]) };
    if (item && typeof item.document === 'string') return { name: String(item.name ?? `#${i}`), document: item.document };
    fail(`item ${i} is neither a string, a [name, document] pair nor {name, document}`);
  });
}
if (documents.length === 0) fail('no documents given');

const results = documents.map(({ name, document }) => {
  let errors;
  try {
    errors = validate(document).map((e) => {
      const at = (e.locations ?? []).map((l) => `${l.line}:${l.column}`).join(', ');
      return at ? `${e.message} (at ${at})` : e.message;
    });
  } catch (e) {
    // graphql-tag throws on syntax errors.
    errors = [`syntax: ${e.message}`];
  }
  return { name, valid: errors.length === 0, errors };
});

if (json) {
  console.log(JSON.stringify(results));
} else {
  for (const r of results) {
    if (r.valid) console.log(`ok      ${r.name}`);
    else for (const e of r.errors) console.log(`INVALID ${r.name}: ${e}`);
  }
  const bad = results.filter((r) => !r.valid).length;
  console.log(`${results.length - bad} valid, ${bad} invalid`);
}
process.exit(results.every((r) => r.valid) ? 0 : 1);
