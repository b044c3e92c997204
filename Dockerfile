FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY communique communique
COPY crawler crawler
COPY workers workers
COPY storage storage
COPY interface interface
COPY corpus corpus
RUN pip install --no-cache-dir .
# Not root: the services only need their data folder (a named volume starts with this owner).
RUN useradd --system --uid 10001 --home-dir /data communique \
    && mkdir -p /data && chown communique /data
USER communique
ENV COMMUNIQUE_DATA_DIR=/data COMMUNIQUE_RULES_DIR=/rules COMMUNIQUE_CORPUS_DIR=/app/corpus \
    COMMUNIQUE_METRICS_PORT=9108
# A service is healthy while it answers on its metrics port (crawler and workers alike).
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:9108/metrics', timeout=4)"]
ENTRYPOINT ["communique"]
