// Apollo Client sending documents by their SHA-256 (Automatic Persisted Queries).
//   npm install @apollo/client graphql rxjs
//   XIETONG_URL=http://127.0.0.1:8080 node persisted.mjs
// The first time the server meets a hash it answers PERSISTED_QUERY_NOT_FOUND and the link sends
// the document once with its hash; from then on the hash alone is enough (on GET too, which a
// caching proxy can cache). The report lists what each request carried.
import { createHash } from 'node:crypto';
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';

const url = process.env.XIETONG_URL ?? 'http://127.0.0.1:8080';
const sent = [];

/** fetch, noting for each request its method and whether it carried the document and a hash. */
async function recordingFetch(input, init) {
  const method = init?.method ?? 'GET';
  const target = new URL(String(input));
  const body = method === 'POST' ? JSON.parse(init.body) : Object.fromEntries(target.searchParams);
  const extensions = typeof body.extensions === 'string' ? JSON.parse(body.extensions) : body.extensions;
  sent.push({ method, query: Boolean(body.query), hash: Boolean(extensions?.persistedQuery?.sha256Hash) });
  return fetch(input, init);
}

function client(useGETForHashedQueries) {
  const persisted = new PersistedQueryLink({
    sha256: (text) => createHash('sha256').update(text).digest('hex'),
    useGETForHashedQueries,
  });
  const http = new HttpLink({ uri: `${url}/graphql`, fetch: recordingFetch });
  return new ApolloClient({ link: persisted.concat(http), cache: new InMemoryCache() });
}

const PLAN_COUNT = gql`
  query PlanCount {
    plans { totalCount }
  }
`;

const report = {};
for (const [name, useGET] of [['first', false], ['again', false], ['overGet', true]]) {
  sent.length = 0;
  const { data } = await client(useGET).query({ query: PLAN_COUNT, fetchPolicy: 'network-only' });
  report[name] = { totalCount: data.plans.totalCount, requests: [...sent] };
}
console.log(JSON.stringify(report));
