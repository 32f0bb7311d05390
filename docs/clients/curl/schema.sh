# The schema as SDL, also when introspection is turned off (--no-introspection).
curl --fail-with-body -sS "$XIETONG_URL/schema.graphql" -o schema.graphql
