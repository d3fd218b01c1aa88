"""Reads `aspire describe --format Json` on stdin; prints the proxied and direct ports of redis and postgres
("redis_proxy redis_direct pg_proxy pg_direct") once both are healthy, else nothing."""
import json
import sys

text = sys.stdin.read()
resources = {r["displayName"]: r for r in json.loads(text[text.index("{"):])["resources"]}
redis, postgres = resources.get("redis"), resources.get("postgres")
if not redis or not postgres or any(r.get("healthStatus") != "Healthy" for r in (redis, postgres)):
    sys.exit(1)

def proxy_port(resource):
    return next(u["url"].rsplit(":", 1)[1] for u in resource["urls"] if u["name"] == "tcp")

redis_args = redis["properties"]["resource.appArgs"]
redis_direct = redis_args[redis_args.index("--port") + 1]
print(proxy_port(redis), redis_direct, proxy_port(postgres), postgres["environment"]["PGPORT"])
