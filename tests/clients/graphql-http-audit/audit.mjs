// Runs the graphql-http server audits (GraphQL over HTTP conformance) against
// a running server and prints one line per audit: its id, its result and its
// name, then the counts by requirement level (MUST / SHOULD / MAY).
//
// Usage: node audit.mjs http://127.0.0.1:8080/graphql
// Exit status: 0 when no MUST and no SHOULD audit fails, 1 otherwise, 2 when
// the audits cannot run.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs <url of /graphql>');
  process.exit(2);
}

const levelOf = (name) => (name.startsWith('MUST') ? 'MUST' : name.startsWith('SHOULD') ? 'SHOULD' : 'MAY');
const counts = {};
let failures = 0;

for (const audit of serverAudits({ url })) {
  // An audit throws only on a fatal problem (e.g. the server cannot be reached).
  const result = await audit.fn();
  const level = levelOf(result.name);
  const passed = result.status === 'ok';
  const row = (counts[level] ??= { pass: 0, fail: 0 });
  row[passed ? 'pass' : 'fail'] += 1;
  if (!passed && level !== 'MAY') failures += 1;
  console.log(`${result.id}\t${passed ? 'pass' : result.status}\t${result.name}`);
  if (!passed) {
    const response = result.response;
    let body = '';
    try {
      body = response ? await response.text() : '';
    } catch {
      body = '(body already read)';
    }
    console.log(`\t${result.reason}; HTTP ${response?.status} ${response?.headers.get('content-type') ?? ''} ${body.slice(0, 300)}`);
  }
}

for (const level of ['MUST', 'SHOULD', 'MAY']) {
  const row = counts[level] ?? { pass: 0, fail: 0 };
  console.log(`${level}: ${row.pass} passed, ${row.fail} failed`);
}
process.exit(failures === 0 ? 0 : 1);
