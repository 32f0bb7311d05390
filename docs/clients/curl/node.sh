# One record by its global ID, over GET (queries only): parameters in the query string.
curl --fail-with-body -sS --get "$XIETONG_URL/graphql" \
  --data-urlencode 'query=query Plan($id: ID!) { node(id: $id) { id ... on Plan { title documentNumber region { name } } } }' \
  --data-urlencode "variables={\"id\": \"$PLAN_ID\"}"
