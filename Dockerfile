# leadbot in HTTP mode. Build and run (see docs/deploy.md):
#   docker build -t leadbot .
#   docker run -d --name leadbot --env-file /etc/leadbot/leadbot.env -p 3000:3000 \
#     -v leadbot-data:/var/lib/leadbot leadbot
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY . .
RUN pip install . && rm -rf /src

RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/leadbot --create-home leadbot
WORKDIR /var/lib/leadbot
VOLUME /var/lib/leadbot
# SQLite by default, on the volume; set DATABASE_URL to use PostgreSQL instead.
ENV DATABASE_URL=sqlite+aiosqlite:////var/lib/leadbot/leadbot.db \
    HOST=0.0.0.0 \
    PORT=3000
USER leadbot

EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=4)"]
STOPSIGNAL SIGTERM
CMD ["leadbot", "serve"]
