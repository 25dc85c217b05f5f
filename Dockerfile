# Elekto site image: docker build -t elekto .
# The build stage compiles mysqlclient and collects the static files; the runtime stage carries only the
# virtualenv, the code and the collected files, and runs as an unprivileged user. No secret is baked in:
# configuration comes from the environment at run time (see .env.example and deploy/kubernetes/).

FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential pkg-config default-libmysqlclient-dev \
    && rm -rf /var/lib/apt/lists/*

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

COPY requirements.txt /tmp/requirements.txt
RUN pip install -r /tmp/requirements.txt

WORKDIR /app
# locale/ carries the compiled translation catalogues (.mo) next to their sources: no gettext needed here.
COPY . .
# collectstatic needs settings that load with DEBUG off; the key below exists only for this one command
# and is not kept in the image.
RUN SECRET_KEY=collectstatic-only-build-time-key DEBUG=0 ALLOWED_HOSTS=localhost \
    DATABASE_URL=sqlite:////tmp/collectstatic.sqlite3 \
    python manage.py collectstatic --noinput \
    && rm -f /tmp/collectstatic.sqlite3


FROM python:3.11-slim

# libmariadb3: the client library mysqlclient links to; git: sync_meta clones the meta repository.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libmariadb3 git ca-certificates \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 elekto \
    && useradd --system --uid 10001 --gid elekto --home-dir /tmp --no-create-home --shell /usr/sbin/nologin elekto

COPY --from=build /opt/venv /opt/venv
# Owned by root: the site's user can read the code but not change it.
COPY --from=build /app /app

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=elekto_site.settings \
    HOME=/tmp \
    GUNICORN_WORKER_TMP_DIR=/tmp

WORKDIR /app
USER 10001:10001
EXPOSE 8000
ENTRYPOINT ["/app/deploy/entrypoint.sh"]
