# nic web / worker / beat image (docker-compose.yml runs all three from it).
#   docker build -t nic:local .

# --- Stage: the project sources, minus local state --------------------------------
# Without a .dockerignore the build context holds the developer's .venv,
# node_modules and instance/ (SQLite database, generated secret key). They are
# dropped here, in a throwaway stage, so they never reach the final image.
FROM python:3.11-slim AS src
WORKDIR /src
COPY . .
RUN rm -rf .git .venv node_modules instance static/vendor tests docs .ci \
           build dist ./*.egg-info .pytest_cache celerybeat-schedule* \
 && find . -name __pycache__ -prune -exec rm -rf {} +

# --- Stage: vendor the Socket.IO browser client (like `make assets`) -------------
FROM python:3.11-slim AS assets
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund \
 && mkdir -p static/vendor \
 && cp node_modules/socket.io-client/dist/socket.io.min.js \
       node_modules/socket.io-client/dist/socket.io.min.js.map \
       static/vendor/

# --- Runtime -------------------------------------------------------------------------
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin nic
WORKDIR /app

# The locked dependencies first, in their own layer (rebuilt only when the lock
# changes, not on every code change): the versions CI tested, every hash checked.
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

COPY --from=src /src/ /app/
COPY --from=assets /build/static/vendor/ /app/static/vendor/

# Editable on purpose: the app finds templates/, static/ and migrations/ at ../
# from the nic package, and Flask puts the instance folder next to the package
# (/app/instance). With a plain `pip install .` nic lands in site-packages, where
# ../templates does not exist and the instance folder would be
# /usr/local/var/nic-instance (not writable by the nic user).
RUN pip install --no-deps -e . \
 && mkdir -p /app/instance /data \
 && chown nic:nic /app/instance /data

USER nic
ENV NIC_DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 5000
CMD ["nic", "serve", "--host", "0.0.0.0", "--port", "5000"]
