# Sourced by scripts/run.sh: `make run` shows the site as its members will see it (no debug pages,
# the 404/403/500 pages, compressed static files) on plain http://127.0.0.1. For development
# debugging, set it explicitly: `DEBUG=true make run`.
export DEBUG=${DEBUG:-false}
if [ "$DEBUG" != "true" ]; then
  # Production settings, minus what needs HTTPS in front: the local site is plain HTTP.
  export SECURE_SSL_REDIRECT=${SECURE_SSL_REDIRECT:-false}
  export SECURE_COOKIES=${SECURE_COOKIES:-false}
  export SECURE_HSTS_SECONDS=${SECURE_HSTS_SECONDS:-0}
  if [ -z "${SECRET_KEY:-}" ]; then
    mkdir -p tmp
    # A key of this machine's own, made once and kept out of git (tmp/ is ignored).
    [ -s tmp/secret_key ] || .venv/bin/python -c "import secrets; print(secrets.token_urlsafe(50))" > tmp/secret_key
    SECRET_KEY=$(cat tmp/secret_key)
    export SECRET_KEY
  fi
fi
