# On the server's machine (the token is signed with the server's secret): a token for the
# system of 静海区发展改革委, a BUREAU, valid for 30 days. Only the token goes to standard output.
XIETONG_TOKEN=$(xietong token issue --dept 静海区发展改革委 --role BUREAU --client jinghai-drc-system --ttl 30d)
export XIETONG_TOKEN
