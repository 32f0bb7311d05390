# A query with variables: POST a JSON body to /graphql.
curl --fail-with-body -sS "$XIETONG_URL/graphql" \
  -H 'Content-Type: application/json' \
  --data-binary @- <<'JSON'
{
  "query": "query Plans($first: Int!) { plans(first: $first, orderBy: { field: ISSUED_ON, direction: DESC }) { totalCount nodes { id title documentNumber issuedOn } pageInfo { endCursor hasNextPage } } }",
  "variables": { "first": 3 }
}
JSON
