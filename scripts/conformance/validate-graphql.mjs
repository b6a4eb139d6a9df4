#!/usr/bin/env node
// Validate GraphQL documents against GitHub's published GraphQL schema
// (@octokit/graphql-schema's validate(), installed by scripts/conformance-setup).
//
//   node validate-graphql.mjs FILE...        one document per file, named after the file
//   node validate-graphql.mjs < docs.json    a JSON array of documents on standard input:
//                                            "query { … }", ["name", "query { … }"] or
//                                            {"name": "…", "document": "query { … }"}
//
// Each document is validated with the package's validate(), which checks it against the
// package's schema.json. In 15.26.1 that introspection file lags behind the package's own IDL,
// schema.graphql: it lacks 34 types and many fields the IDL has (addSubIssue, Issue.parent,
// Issue.subIssues, updateProjectV2Field, ProjectV2Iteration, …; see CONFORMANCE.md). So a document
// that validate() rejects is checked again against schema.graphql, and counts as valid when that
// accepts it (reported with "schema": "schema.graphql" and validate()'s errors as notes).
//
// Options: --json prints one JSON array
// `[{"name", "valid", "schema", "errors": ["…"], "notes": ["…"]}]` instead of text.
// Exit status: 0 every document is valid, 1 at least one is not, 2 usage or setup error.
// The schema package is loaded from ${FIREBREAK_CONFORMANCE_DIR:-$HOME/.cache/firebreak-conformance}.
import { readFileSync, existsSync } from 'node:fs';
import { join, basename } from 'node:path';
import { homedir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

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

// The IDL schema, built on first need (schema.graphql defines two fields twice, hence assumeValidSDL).
const graphql = createRequire(join(dir, 'package.json'))('graphql');
let idlSchema;
function validateIdl(document) {
  idlSchema ??= graphql.buildSchema(readFileSync(join(pkgDir, 'schema.graphql'), 'utf8'), { assumeValidSDL: true });
  return graphql.validate(idlSchema, graphql.parse(document));
}

function messages(errors) {
  return errors.map((e) => {
    const at = (e.locations ?? []).map((l) => `${l.line}:${l.column}`).join(', ');
    return at ? `${e.message} (at ${at})` : e.message;
  });
}

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
    errors = messages(validate(document));
  } catch (e) {
    // graphql-tag throws on syntax errors.
    return { name, valid: false, schema: 'schema.json', errors: [`syntax: ${e.message}`], notes: [] };
  }
  if (errors.length === 0) return { name, valid: true, schema: 'schema.json', errors: [], notes: [] };
  const idlErrors = messages(validateIdl(document));
  if (idlErrors.length === 0) {
    return { name, valid: true, schema: 'schema.graphql', errors: [], notes: errors.map((e) => `schema.json (validate()) lags: ${e}`) };
  }
  return { name, valid: false, schema: 'schema.graphql', errors: idlErrors, notes: [] };
});

if (json) {
  console.log(JSON.stringify(results));
} else {
  for (const r of results) {
    if (r.valid) console.log(`ok      ${r.name}${r.schema === 'schema.json' ? '' : ` (by ${r.schema}; ${r.notes.join('; ')})`}`);
    else for (const e of r.errors) console.log(`INVALID ${r.name}: ${e}`);
  }
  const bad = results.filter((r) => !r.valid).length;
  console.log(`${results.length - bad} valid, ${bad} invalid`);
}
process.exit(results.every((r) => r.valid) ? 0 : 1);
