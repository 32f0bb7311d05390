// Apollo Client (its core, no React) reading whole connections page by page with fetchMore.
//   npm install @apollo/client graphql rxjs
//   XIETONG_URL=http://127.0.0.1:8080 node paging.mjs
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { relayStylePagination } from '@apollo/client/utilities';

const url = process.env.XIETONG_URL ?? 'http://127.0.0.1:8080';

const cache = new InMemoryCache({
  typePolicies: {
    Query: {
      fields: {
        // `edges { cursor node }`: Apollo's helper appends each page after the cursor it was fetched with.
        plans: relayStylePagination(['filter', 'orderBy']),
        // `nodes` + `pageInfo`: a merge function of our own. A page fetched with the end cursor
        // of what the cache holds is appended; any other page starts the list again.
        indicators: {
          keyArgs: ['filter', 'orderBy'],
          merge(existing, incoming, { args }) {
            if (!existing || !args?.after || args.after !== existing.pageInfo.endCursor) return incoming;
            return { ...incoming, nodes: [...existing.nodes, ...incoming.nodes] };
          },
        },
      },
    },
  },
});
const client = new ApolloClient({ link: new HttpLink({ uri: `${url}/graphql` }), cache });

const PLANS = gql`
  query PlansByIssueDate($after: String) {
    plans(first: 3, after: $after, orderBy: { field: ISSUED_ON, direction: DESC }) {
      totalCount
      edges { cursor node { id title documentNumber issuedOn } }
      pageInfo { endCursor hasNextPage }
    }
  }
`;

const INDICATORS = gql`
  query JinghaiIndicators2025($after: String) {
    indicators(filter: { regionCode: "120118", year: 2025 }, first: 10, after: $after) {
      totalCount
      nodes { id name unit targets { year comparator value } }
      pageInfo { endCursor hasNextPage }
    }
  }
`;

/** Watches `query`, then fetches more until `field` has no next page; answers the merged list. */
async function readAll(query, field) {
  const watched = client.watchQuery({ query });
  let subscription;
  let data = await new Promise((resolve, reject) => {
    subscription = watched.subscribe({
      next: (result) => result.dataState === 'complete' && resolve(result.data),
      error: reject,
    });
  });
  let pages = 1;
  while (data[field].pageInfo.hasNextPage) {
    await watched.fetchMore({ variables: { after: data[field].pageInfo.endCursor } });
    data = client.readQuery({ query }); // the cache now holds every page so far, merged
    pages += 1;
  }
  subscription.unsubscribe();
  return { pages, ...data[field] };
}

const plans = await readAll(PLANS, 'plans');
const indicators = await readAll(INDICATORS, 'indicators');
console.log(JSON.stringify({
  plans: { pages: plans.pages, totalCount: plans.totalCount, ids: plans.edges.map((edge) => edge.node.id) },
  indicators: { pages: indicators.pages, totalCount: indicators.totalCount, ids: indicators.nodes.map((node) => node.id) },
}));
