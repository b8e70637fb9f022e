# NIM Portal production image: gunicorn for the web, the same image for the Celery worker and beat.

# Front-end assets come from the npm registry at build time (package-lock.json), never from the repo.
FROM node:22-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY static/src static/src
RUN npm run build

FROM python:3.11-slim-bookworm AS portal
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    PATH=/opt/venv/bin:$PATH \
    XDG_CACHE_HOME=/tmp/cache

# WeasyPrint renders PDFs with Pango and HarfBuzz; fontconfig needs fonts and a writable cache.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
        fontconfig fonts-dejavu-core fonts-liberation2 \
    && rm -rf /var/lib/apt/lists/*

RUN pip install --no-cache-dir uv==0.13.8
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-cache

COPY manage.py ./
COPY nim_portal nim_portal
COPY products products
COPY partners partners
COPY tasking tasking
COPY templates templates
COPY static static
COPY --from=assets /build/static/build static/build

# Hashed, compressed static files for WhiteNoise; the values below exist only for this one command.
RUN DJANGO_ENV=production \
    DJANGO_SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
    DJANGO_ALLOWED_HOSTS=build.invalid \
    DATABASE_URL=postgres://build@build.invalid/build \
    REDIS_URL=redis://build.invalid:6379/0 \
    python manage.py collectstatic --no-input

RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin nim \
    && mkdir -p /app/var/media \
    && chown -R nim /app/var
USER nim

EXPOSE 8000
CMD ["gunicorn", "nim_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
