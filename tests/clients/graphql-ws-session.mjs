// One graphql-ws session against xietong: subscribe to `changed`, cause a
// change with a mutation over the same socket, receive it, complete, close.
//
// Usage: node graphql-ws-session.mjs ws://host:port/graphql
// Env:   XIETONG_TOKEN         a coordinator token of 静海区人民政府 (for the mutation)
//        XIETONG_CLIENT_MODULES a directory whose node_modules holds the packages of
//                               package.json (default: this directory)
// Prints one JSON line: {"ok":true,"elapsedMs":…,"closeCode":1000} (ok:false and
// an error otherwise) and exits non-zero on failure.
import { createRequire } from 'node:module';
import path from 'node:path';

const base = process.env.XIETONG_CLIENT_MODULES
  ? path.join(process.env.XIETONG_CLIENT_MODULES, 'resolve-from-here.js')
  : import.meta.url;
const require = createRequire(base);
const { createClient } = require('graphql-ws');
const WebSocket = require('ws');

const url = process.argv[2];
const token = process.env.XIETONG_TOKEN;
const started = performance.now();
const elapsed = () => Math.round((performance.now() - started) * 10) / 10;

let resolveClosed;
const closed = new Promise((resolve) => (resolveClosed = resolve));
const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: token ? { Authorization: `Bearer ${token}` } : {},
  retryAttempts: 0,
  lazy: false,
  on: { closed: (event) => resolveClosed(event) },
});

/** Runs a query or mutation over the socket; resolves with its one result. */
const run = (query, variables) =>
  new Promise((resolve, reject) => {
    let result;
    client.subscribe({ query, variables }, {
      next: (value) => (result = value),
      error: reject,
      complete: () => resolve(result),
    });
  });

try {
  const tasks = await run('{ tasks(filter: {regionCode: "120118", kind: TASK}, first: 1) { nodes { id version } } }');
  const task = tasks.data.tasks.nodes[0];
  const title = `graphql-ws ${Date.now()}`;
  const update = 'mutation($input: UpdateTaskInput!) { updateTask(input: $input) { task { version } } }';
  // A first change, so that the subscription below starts from a cursor: without one it would
  // start wherever the feed is when the server takes it up, racing the mutation sent next.
  const first = await run(update, { input: { id: task.id, expectedVersion: task.version, title: `${title} (0)` } });
  if (first.errors) throw new Error(JSON.stringify(first.errors));
  const feed = await run('{ changes(last: 1) { edges { cursor } } }');
  const after = feed.data.changes.edges[0].cursor;

  let dispose;
  const received = new Promise((resolve, reject) => {
    dispose = client.subscribe(
      {
        query: 'subscription($after: String) { changed(after: $after) { cursor change { entity after } } }',
        variables: { after },
      },
      {
        next: (value) => {
          if (value.errors) reject(new Error(JSON.stringify(value.errors)));
          else if (value.data.changed.change.after?.title === title) resolve(value.data.changed);
        },
        error: reject,
        complete: () => {},
      },
    );
  });
  const mutation = await run(update, {
    input: { id: task.id, expectedVersion: first.data.updateTask.task.version, title },
  });
  if (mutation.errors) throw new Error(JSON.stringify(mutation.errors));
  const event = await received;
  dispose(); // sends `complete` for the subscription
  await client.dispose(); // closes the socket (1000) and waits for nothing more
  const close = await closed;
  console.log(JSON.stringify({ ok: true, elapsedMs: elapsed(), closeCode: close.code, entity: event.change.entity }));
  process.exit(0);
} catch (error) {
  console.log(JSON.stringify({ ok: false, elapsedMs: elapsed(), error: String(error?.message ?? error) }));
  process.exit(1);
}
