# Zorgtafel for production: one image for web (gunicorn), worker, beat and the migrate step.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    # The sources in /app come first, so every entry point (zorgtafel, gunicorn, celery)
    # runs the same code and finds the Alembic scripts in /app/migrations.
    PYTHONPATH=/app \
    ZORGTAFEL_ENV=production \
    ZORGTAFEL_DATA_DIR=/var/lib/zorgtafel

WORKDIR /app

# Dependencies first (a layer that survives code changes), then the code.
COPY pyproject.toml README.md ./
COPY zorgtafel ./zorgtafel
COPY worker ./worker
RUN pip install ".[production]"
COPY migrations ./migrations

RUN useradd --system --uid 10001 --home-dir /var/lib/zorgtafel --shell /usr/sbin/nologin zorgtafel \
    && mkdir -p /var/lib/zorgtafel \
    && chown zorgtafel:zorgtafel /var/lib/zorgtafel
USER zorgtafel

EXPOSE 8000
# Access log without the request line, query string, referrer, user agent or address: paths
# carry one-time tokens (/activeren/<token>) and queries carry search terms, and container
# logs are kept and shipped far less carefully than the audit log. Method, status, duration
# and the request id (which finds the app's own log lines) are enough to operate on.
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-", \
     "--access-logformat", "%(m)s %(s)s %(M)sms request_id=%({x-request-id}o)s", "zorgtafel:create_app()"]
