"""Record an indicator's actual value for a period (recordActual), as a bureau.

    XIETONG_TOKEN=$(xietong token issue --dept 静海区发展改革委 --role BUREAU …)
    python record_actual.py INDICATOR_ID 2024 3.2
"""
import json
import os
import sys
import uuid

from gql import Client, GraphQLRequest, gql
from gql.transport.requests import RequestsHTTPTransport

url = os.environ.get("XIETONG_URL", "http://127.0.0.1:8080")
indicator_id, period, value = sys.argv[1], sys.argv[2], float(sys.argv[3])

RECORD_ACTUAL = gql("""
mutation RecordActual($input: RecordActualInput!) {
  recordActual(input: $input) {
    actual { id period value status revision reportedAt }
    indicator { name unit progress { status share } }
  }
}
""")

transport = RequestsHTTPTransport(
    url=f"{url}/graphql",
    headers={"Authorization": f"Bearer {os.environ['XIETONG_TOKEN']}"},
    retries=3,  # safe for a mutation: the idempotency key makes a retry return the first result
)
client = Client(transport=transport, fetch_schema_from_transport=True)
request = GraphQLRequest(RECORD_ACTUAL, variable_values={"input": {
    "indicatorId": indicator_id,
    "period": period,
    "value": value,
    "status": "PROVISIONAL",
    "note": "月度统计快报",
    "idempotencyKey": str(uuid.uuid4()),
}})
# A refusal (FORBIDDEN, NOT_FOUND, BAD_USER_INPUT …) raises TransportQueryError with its `extensions.code`.
result = client.execute(request)
print(json.dumps(result["recordActual"], ensure_ascii=False))
