// What a team would write instead of Firebreak: an `actions/github-script` step that appends the
// new comment to the issue body as a timeline line. One PATCH, none of Firebreak's checks (no
// commands, no permissions, no fresh read, no overflow, a lost update when two run at once).
//
// It loads what github-script loads for a script — @actions/github (an authenticated Octokit
// with the REST methods, and the event `context`) and @actions/core — and then runs the step's
// body, so its cost is the cost of such a step on a runner after the action has been fetched.
//
//   node append-line.mjs   (GITHUB_TOKEN, GITHUB_API_URL, GITHUB_EVENT_PATH, GITHUB_REPOSITORY,
//                           GITHUB_EVENT_NAME; NODE_PATH-like resolution through
//                           FIREBREAK_CONFORMANCE_DIR, where scripts/conformance-setup installs them)
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const modules = join(process.env.FIREBREAK_CONFORMANCE_DIR, 'node_modules');
const load = (name, entry) => import(pathToFileURL(join(modules, name, entry)).href);
const { getOctokit, context } = await load('@actions/github', 'lib/github.js');
const core = await load('@actions/core', 'lib/core.js');

const github = getOctokit(process.env.GITHUB_TOKEN, { baseUrl: process.env.GITHUB_API_URL });

// The step's script, as a team would write it.
const { issue, comment } = context.payload;
const line = `- ${comment.created_at} @${comment.user.login}: ${comment.body.split('\n')[0]}`;
await github.rest.issues.update({
  ...context.repo,
  issue_number: issue.number,
  body: `${issue.body ?? ''}\n${line}`,
});
core.info(`appended to #${issue.number}`);
