#!/bin/sh
# The image's entry point.
#   serve    (default) upgrade the database to the latest schema (unless PLUME_MIGRATE=0), then gunicorn
#            on 0.0.0.0:$PLUME_PORT with gunicorn.conf.py (PLUME_WORKERS, PLUME_CONNECTIONS, ...)
#   migrate  only upgrade the database (compose runs it once before the workers start)
#   anything else is run as is, e.g. `flask --app app backup /backups/plume.dump`
set -eu
case "${1:-serve}" in
  serve)
    if [ "${PLUME_MIGRATE:-1}" != "0" ]; then
      flask --app app db upgrade
    fi
    exec gunicorn --config gunicorn.conf.py --bind "0.0.0.0:${PLUME_PORT:-8000}" 'app:create_app()'
    ;;
  migrate)
    exec flask --app app db upgrade
    ;;
  *)
    exec "$@"
    ;;
esac
