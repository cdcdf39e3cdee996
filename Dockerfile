# syntax=docker/dockerfile:1
# Ankang: build front-end packages in node, run the service on slim Python as a non-root user.

FROM node:20-slim AS frontend
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund --loglevel=error \
    && mkdir -p vendor/swagger-ui && cp node_modules/htmx.org/dist/htmx.min.js vendor/ \
    && cp node_modules/swagger-ui-dist/swagger-ui-bundle.js \
          node_modules/swagger-ui-dist/swagger-ui-standalone-preset.js \
          node_modules/swagger-ui-dist/swagger-ui.css vendor/swagger-ui/

FROM python:3.11-slim AS app
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HOST=0.0.0.0 \
    PORT=8000 \
    DATABASE_URL=sqlite:////app/data/ankang.sqlite3
WORKDIR /app
RUN useradd --system --uid 10001 --home-dir /app ankang
COPY pyproject.toml README.md ./
COPY service ./service
RUN pip install -e . \
    && pybabel compile -d service/locale -D messages
COPY forms ./forms
COPY templates ./templates
COPY static ./static
COPY migrations ./migrations
COPY --from=frontend /build/vendor ./static/vendor
RUN mkdir -p /app/data && chown -R ankang:ankang /app/data
USER ankang
VOLUME ["/app/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz').status == 200 else 1)"
# Migrations at every start: they are idempotent and the schema must match the code.
CMD ["sh", "-c", "python -m service migrate && python -m service serve"]
