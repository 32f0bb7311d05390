"""A district's tasks, page by page, with the Python `gql` client.

    pip install "gql[requests,websockets]"
    XIETONG_URL=http://127.0.0.1:8080 python tasks.py 120118
"""
import os
import sys

from gql import Client, GraphQLRequest, gql
from gql.transport.requests import RequestsHTTPTransport

url = os.environ.get("XIETONG_URL", "http://127.0.0.1:8080")
region_code = sys.argv[1] if len(sys.argv) > 1 else "120118"  # 静海区

TASKS = gql("""
query DistrictTasks($regionCode: String!, $after: String) {
  tasks(filter: { regionCode: $regionCode, kind: TASK }, first: 10, after: $after) {
    totalCount
    edges { cursor node { code title dueYear status plan { documentNumber } } }
    pageInfo { endCursor hasNextPage }
  }
}
""")

# fetch_schema_from_transport: gql loads the schema by introspection and checks
# every document against it before sending it.
client = Client(transport=RequestsHTTPTransport(url=f"{url}/graphql"), fetch_schema_from_transport=True)
with client as session:
    after = None
    while True:
        page = session.execute(GraphQLRequest(TASKS, variable_values={"regionCode": region_code, "after": after}))
        tasks = page["tasks"]
        for edge in tasks["edges"]:
            task = edge["node"]
            print(f"{task['code']}\t{task['title']}\t{task['status']}\t{task['plan']['documentNumber']}")
        if not tasks["pageInfo"]["hasNextPage"]:
            break
        after = tasks["pageInfo"]["endCursor"]
