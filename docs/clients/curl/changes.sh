# Poll the change feed: pass the endCursor of your last page as AFTER (none the first time).
QUERY='query Feed($after: String) { changes(after: $after, first: 100) { edges { cursor node { sequence entity entityId action actorClient actorDepartment { name } } } pageInfo { endCursor hasNextPage } } }'
after=null; [ -n "${AFTER:-}" ] && after="\"$AFTER\""
curl --fail-with-body -sS "$XIETONG_URL/graphql" \
  -H "Authorization: Bearer $XIETONG_TOKEN" \
  -H 'Content-Type: application/json' \
  --data-binary @- <<JSON
{ "query": "$QUERY", "variables": { "after": $after } }
JSON
