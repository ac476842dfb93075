# the API and a proxy to the service under test ($UPSTREAM is "host:port")
steadfast-fault-proxy --port 8474 &
until curl -s localhost:8474/version > /dev/null; do sleep 0.1; done
curl -s -X POST localhost:8474/proxies \
  -d "{\"name\": \"api\", \"listen\": \"127.0.0.1:26380\", \"upstream\": \"$UPSTREAM\"}"
# {"name":"api","listen":"127.0.0.1:26380","upstream":"…","enabled":true,"toxics":[]}

# every response now takes a second longer
curl -s -X POST localhost:8474/proxies/api/toxics \
  -d '{"type": "latency", "attributes": {"latency": 1000}}'
# {"name":"latency_downstream","type":"latency","stream":"downstream","toxicity":1,"attributes":{"latency":1000,"jitter":0}}

# the service goes down, then comes back
curl -s -X POST localhost:8474/proxies/api -d '{"enabled": false}'
curl -s -X POST localhost:8474/proxies/api -d '{"enabled": true}'

# back to a clean link: every proxy enabled, every toxic removed
curl -s -X POST localhost:8474/reset
kill %1
