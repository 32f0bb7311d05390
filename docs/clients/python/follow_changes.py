"""Follow the change feed live over WebSocket (graphql-transport-ws on /graphql).

    python follow_changes.py [CURSOR]

Pass the cursor of the last change you processed: the subscription first replays
every change after it, then continues live, so nothing is missed across restarts.
"""
import json
import os
import sys

from gql import Client, GraphQLRequest, gql
from gql.transport.websockets import WebsocketsTransport

url = os.environ.get("XIETONG_URL", "http://127.0.0.1:8080").replace("http", "ws", 1)
token = os.environ.get("XIETONG_TOKEN")
after = sys.argv[1] if len(sys.argv) > 1 else None

CHANGED = gql("""
subscription Changed($after: String) {
  changed(after: $after) {
    cursor
    change { sequence entity entityId action actorDepartment { name } after occurredAt }
  }
}
""")

transport = WebsocketsTransport(
    url=f"{url}/graphql",
    subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
    init_payload={"Authorization": f"Bearer {token}"} if token else {},  # the token goes in connection_init
)
for event in Client(transport=transport).subscribe(GraphQLRequest(CHANGED, variable_values={"after": after})):
    # Process the change, then store event["changed"]["cursor"] (best in the same transaction).
    print(json.dumps(event["changed"], ensure_ascii=False), flush=True)
