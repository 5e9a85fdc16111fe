#!/bin/bash
# The image's HEALTHCHECK: asks Kanal's admin server for GET /livez and succeeds on a 200 answer.
#
# The JRE base image has neither curl nor wget, and installing one would add a package (and its updates) to the
# image only for this; bash's /dev/tcp is enough for one HTTP/1.0 request. The admin port is KANAL_ADMIN_PORT
# (default 9190, as in docker/kanal.yaml); the host is KANAL_HEALTHCHECK_HOST (default 127.0.0.1), and works for
# an admin server listening on 0.0.0.0 or on loopback.
#
# Exit status: 0 healthy, 1 not (no connection, no answer within 5 s, or another status than 200).

host=${KANAL_HEALTHCHECK_HOST:-127.0.0.1}
port=${KANAL_ADMIN_PORT:-9190}

exec 3<>"/dev/tcp/$host/$port" || exit 1
printf 'GET /livez HTTP/1.0\r\nHost: %s:%s\r\n\r\n' "$host" "$port" >&3 || exit 1
IFS= read -r -t 5 status <&3 || exit 1
exec 3<&-
case $status in
    "HTTP/1."[01]" 200 "*) exit 0 ;;
esac
echo "kanal-healthcheck: GET /livez on $host:$port answered: $status" >&2
exit 1
