#!/usr/bin/env bash
# Start gunicorn, a Celery worker and Celery beat together; Ctrl-C stops all three.
set -u
cd "$(dirname "$0")/.."
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
BIN=.venv/bin
mkdir -p tmp
source scripts/run_env.sh
$BIN/python manage.py collectstatic --noinput -v0

pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "Stopping Roundtable..."
  kill "${pids[@]}" 2>/dev/null
  wait "${pids[@]}" 2>/dev/null
  exit 0
}
trap stop INT TERM EXIT

$BIN/gunicorn community.wsgi:application --bind "$HOST:$PORT" --workers 2 --access-logfile - &
pids+=($!)
# One worker for every queue (community/queues.py): on 2 cores, a worker per queue would be four more
# processes, each with Django loaded, competing for the same cores; deploy/docker-compose.yml splits them.
$BIN/celery -A community worker --loglevel INFO --concurrency 2 --queues "$($BIN/python -m community.queues)" &
pids+=($!)
$BIN/celery -A community beat --loglevel INFO --schedule tmp/celerybeat-schedule &
pids+=($!)

cat <<TXT

  Roundtable is running at http://$HOST:$PORT/

  Demo logins (password for all: roundtable-demo)
    manager     community manager
    moderator   site-wide moderator (tier 3): /review/, /moderation/log/
    catmod      moderator of Help & Support only
    expert      regular member (tier 2)
    member      member (tier 1)
    newcomer    newcomer (tier 0)
    admin       superuser, /admin/

  Press Ctrl-C to stop the web server, the Celery worker and beat.

TXT
wait -n "${pids[@]}"
echo "A process stopped; shutting the others down."
stop
