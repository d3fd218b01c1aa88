#!/usr/bin/env bash
# Runs rabbitmq-server in the foreground, then stops the Erlang port mapper (epmd) on the node's private port.
# The node starts epmd as a daemon, and RabbitMQ's epmd monitor restarts it whenever it goes missing, so the only safe
# moment to stop it is after the node has left it; otherwise it would outlive the app.
# Usage: rabbitmq-run.sh <rabbitmq-server> <epmd>; ERL_EPMD_PORT names the private port.
# <rabbitmq-server> is the package's own script (/usr/lib/rabbitmq/bin), not Debian's wrapper in /usr/sbin: that
# wrapper does not pass SIGTERM on, so the node would never stop.
set -u
server="$1"
epmd="$2"
as_rabbitmq=()
if [ "$(id -u)" = 0 ]; then as_rabbitmq=(runuser -u rabbitmq --); fi

"${as_rabbitmq[@]}" "$server" &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null' TERM INT

wait "$pid"
status=$?
# A trapped signal ends the first wait early; this one returns when the server script has exited.
wait "$pid" 2>/dev/null

# The Erlang VM may still be shutting down: epmd refuses -kill while a node is registered.
for _ in $(seq 1 300); do
  "$epmd" -port "$ERL_EPMD_PORT" -names 2>/dev/null | grep -q '^name ' || break
  sleep 0.2
done
"$epmd" -port "$ERL_EPMD_PORT" -kill >/dev/null 2>&1 || true
exit "$status"
