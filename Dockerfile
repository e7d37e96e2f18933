# Safe Premises: the bot (`python -m bot`) with the embedded default (SQLite and files).
# Build:  docker build -t safe-premises .
# Run:    see docs/deploy.md ("Running the container").
#
# The base is pinned to an exact Python release on Debian 12 (bookworm). To move to a
# later one, change the tag here and run the tests.
FROM python:3.11.14-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Runtime dependencies only, pinned exactly (requirements-dev.txt is never installed here).
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

# The code, the model letters and the example configuration (mount the trust's own
# configuration folder over /app/config).
COPY bot/ bot/
COPY cards/ cards/
COPY casework/ casework/
COPY graph/ graph/
COPY local/ local/
COPY rules/ rules/
COPY templates/ templates/
COPY config/ config/

# A user without a login and without write access to the code; it owns /data only.
RUN groupadd --system --gid 10001 safepremises \
    && useradd --system --uid 10001 --gid safepremises --no-create-home \
       --home-dir /nonexistent --shell /usr/sbin/nologin safepremises \
    && mkdir /data && chown safepremises:safepremises /data
USER 10001:10001

# The trust configuration and the data folder; the bot's credentials come from the
# environment (`docker run --env-file .env`). Without MicrosoftAppId the bot refuses to
# listen on 0.0.0.0, so an image started without credentials does not serve.
ENV HOST=0.0.0.0 \
    PORT=3978 \
    SAFE_PREMISES_CONFIG=/app/config/trust.yaml \
    SAFE_PREMISES_DATA=/data
VOLUME ["/data"]
EXPOSE 3978

# /healthz answers at once and does no I/O. The image has no curl: Python asks.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '3978') + '/healthz', timeout=4)"]

CMD ["python", "-m", "bot"]
