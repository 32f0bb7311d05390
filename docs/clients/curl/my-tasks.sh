# What your token may write to: your department's tasks and their indicators, with the IDs
# that reportProgress and recordActual take.
QUERY='{ viewer { subject role department { name tasks(first: 50) { totalCount nodes { id code title indicators(first: 20) { nodes { id name unit } } } } } } }'
curl --fail-with-body -sS "$XIETONG_URL/graphql" \
  -H "Authorization: Bearer $XIETONG_TOKEN" \
  -H 'Content-Type: application/json' \
  --data-binary "{\"query\": \"$QUERY\"}"
