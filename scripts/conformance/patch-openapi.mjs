#!/usr/bin/env node
// Patch GitHub's published REST description (@octokit/openapi, api.github.com.json) so that
// Prism validates the responses of the in-memory GitHub for real.
//
//   node patch-openapi.mjs <in: api.github.com.json> <out: api.github.com.patched.json>
//
// Three defects of the published file are repaired, each counted; the script fails when a count
// differs from what this version of the package is known to hold, so that a new package
// version cannot silently change what the conformance lane checks (see CONFORMANCE.md).
//
// (a) Examples wrapped twice. 19 operation examples read `{"value": {"$ref":
//     "#/components/examples/x"}}`, but the referenced component is itself an Example Object
//     (`{"value": …}`), so resolving the reference yields `{"value": {"value": …}}` and Prism,
//     which answers from examples when it has to mock, would serve the wrapper. The reference is
//     resolved and the component's own `value` is inlined.
//
// (b) `nullable: true` without `type`. OpenAPI 3.0 lets `nullable` stand next to `oneOf`,
//     `anyOf` and `allOf` (or alone), but Prism's OpenAPI-to-JSON-Schema conversion only turns
//     `nullable` into `type: [T, "null"]` when `type` is present and leaves the keyword behind
//     otherwise; Ajv then refuses to compile the schema ("nullable" cannot be used without
//     "type"), and Prism swallows that error and skips validation of the whole body. The issue
//     schema carries one (`issue-field-value.value`), so without this patch nothing checks
//     `GET /repos/{owner}/{repo}/issues/{issue_number}` at all. Each such schema is rewritten to
//     the equivalent `anyOf: [<the schema without nullable>, {type: "null"}]` (description,
//     title and readOnly stay outside). Giving these schemas a `type` instead would be wrong for
//     `allOf` ones (the `null` would still fail the inner object schema) and impossible for
//     `oneOf: [string, integer]` ones.
//
// (c) A `oneOf` no body can satisfy. The 409 of `PUT /repos/{owner}/{repo}/contents/{path}` is
//     `oneOf: [basic-error, repository-rule-violation-error]`; neither schema requires anything,
//     so every error body (GitHub's own `{"message", "documentation_url", "status"}` included)
//     matches both, and `oneOf` (exactly one) rejects it. It becomes `anyOf`.
import { readFileSync, writeFileSync, renameSync } from 'node:fs';

const EXPECTED = { doubleWrappedExamples: 19, nullableWithoutType: 135, ambiguousErrorOneOf: 1 };

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: patch-openapi.mjs <api.github.com.json> <api.github.com.patched.json>');
  process.exit(2);
}

const doc = JSON.parse(readFileSync(input, 'utf8'));
const componentExamples = doc.components?.examples ?? {};
const counts = { doubleWrappedExamples: 0, nullableWithoutType: 0, ambiguousErrorOneOf: 0 };

function resolveExampleRef(ref) {
  const prefix = '#/components/examples/';
  if (typeof ref !== 'string' || !ref.startsWith(prefix)) {
    throw new Error(`unexpected example reference ${JSON.stringify(ref)}`);
  }
  const target = componentExamples[decodeURIComponent(ref.slice(prefix.length))];
  if (!target || !('value' in target)) {
    throw new Error(`example reference ${ref} does not resolve to an Example Object`);
  }
  return structuredClone(target.value);
}

function patchExamples(examples) {
  for (const example of Object.values(examples)) {
    const value = example?.value;
    if (value && typeof value === 'object' && !Array.isArray(value) && '$ref' in value) {
      example.value = resolveExampleRef(value.$ref);
      counts.doubleWrappedExamples += 1;
    }
  }
}

const OUTSIDE = ['description', 'title', 'readOnly', 'writeOnly', 'deprecated'];

function patchNullable(schema) {
  const inner = {};
  const outer = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'nullable') continue;
    (OUTSIDE.includes(key) ? outer : inner)[key] = value;
  }
  for (const key of Object.keys(schema)) delete schema[key];
  Object.assign(schema, outer, { anyOf: [inner, { type: 'null' }] });
  counts.nullableWithoutType += 1;
}

const AMBIGUOUS = ['#/components/schemas/basic-error', '#/components/schemas/repository-rule-violation-error'];

function isAmbiguousErrorOneOf(node) {
  const refs = Array.isArray(node.oneOf) ? node.oneOf.map((s) => s?.$ref) : [];
  return refs.length === AMBIGUOUS.length && AMBIGUOUS.every((r) => refs.includes(r));
}

function walk(node, parentKey) {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, undefined);
    return;
  }
  if (!node || typeof node !== 'object') return;
  // A property *named* "nullable" or "examples" (inside `properties`) is not the keyword.
  if (parentKey !== 'properties') {
    if (node.nullable === true && !('type' in node) && !('$ref' in node)) patchNullable(node);
    if (isAmbiguousErrorOneOf(node)) {
      node.anyOf = node.oneOf;
      delete node.oneOf;
      counts.ambiguousErrorOneOf += 1;
    }
    if (node.examples && typeof node.examples === 'object' && !Array.isArray(node.examples)) {
      patchExamples(node.examples);
    }
  }
  for (const [key, value] of Object.entries(node)) walk(value, key);
}

walk(doc, undefined);

// Nothing of either kind may be left behind.
let left = 0;
(function check(node, parentKey) {
  if (Array.isArray(node)) return node.forEach((n) => check(n));
  if (!node || typeof node !== 'object') return;
  if (parentKey !== 'properties') {
    if (node.nullable === true && !('type' in node)) left += 1;
    if (isAmbiguousErrorOneOf(node)) left += 1;
    if (node.examples && typeof node.examples === 'object') {
      for (const ex of Object.values(node.examples)) if (ex?.value?.$ref) left += 1;
    }
  }
  for (const [k, v] of Object.entries(node)) check(v, k);
})(doc);

console.log(`patch-openapi: unwrapped ${counts.doubleWrappedExamples} double-wrapped examples (expected ${EXPECTED.doubleWrappedExamples})`);
console.log(`patch-openapi: turned ${counts.ambiguousErrorOneOf} oneOf [basic-error, repository-rule-violation-error] into anyOf (expected ${EXPECTED.ambiguousErrorOneOf})`);
console.log(`patch-openapi: rewrote ${counts.nullableWithoutType} 'nullable: true' schemas without 'type' to anyOf [..., {type: null}] (expected ${EXPECTED.nullableWithoutType})`);

let failed = false;
for (const [key, expected] of Object.entries(EXPECTED)) {
  if (counts[key] !== expected) {
    console.error(`patch-openapi: ${key}: patched ${counts[key]}, expected ${expected}: the published description changed; re-check both patches and update EXPECTED (see CONFORMANCE.md)`);
    failed = true;
  }
}
if (left !== 0) {
  console.error(`patch-openapi: ${left} defects remain after patching`);
  failed = true;
}
if (failed) process.exit(1);

const tmp = `${output}.tmp-${process.pid}`;
writeFileSync(tmp, JSON.stringify(doc));
renameSync(tmp, output);
console.log(`patch-openapi: wrote ${output}`);
