FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY communique communique
COPY crawler crawler
COPY workers workers
COPY storage storage
COPY corpus corpus
RUN pip install --no-cache-dir .
ENV COMMUNIQUE_DATA_DIR=/data COMMUNIQUE_RULES_DIR=/rules COMMUNIQUE_CORPUS_DIR=/app/corpus
ENTRYPOINT ["communique"]
