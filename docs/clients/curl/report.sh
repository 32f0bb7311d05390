# A mutation with a token: report progress on a task your department leads.
# Sending it again with the same idempotencyKey returns the same report, never a second one.
QUERY='mutation Report($input: ReportProgressInput!) { reportProgress(input: $input) { report { id period status percent } task { status version } } }'
curl --fail-with-body -sS "$XIETONG_URL/graphql" \
  -H "Authorization: Bearer $XIETONG_TOKEN" \
  -H 'Content-Type: application/json' \
  --data-binary @- <<JSON
{
  "query": "$QUERY",
  "variables": { "input": { "taskId": "$TASK_ID", "period": "2024-Q3", "status": "IN_PROGRESS", "percent": 60,
                            "narrative": "新增光伏并网12万千瓦", "idempotencyKey": "drc-2024q3-1" } }
}
JSON
