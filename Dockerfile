# repograph: one image for both processes. `repograph serve` (the default) receives webhooks;
# `repograph worker` indexes; `repograph setup-db` creates the Neo4j schema (Fly's release
# command). Configuration comes from the environment: see docs/deploy.md.

# --- build: dependencies in their own layer, then the package itself ------------------------
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

# A compiler, only for a dependency without a wheel for this platform; the runtime stage
# below starts from a clean image, so none of it ships.
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*

RUN python -m venv /opt/repograph
ENV PATH=/opt/repograph/bin:$PATH
WORKDIR /src

# Dependencies are read from pyproject.toml alone, so this layer is rebuilt only when they
# change, not on every code change.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > requirements.txt \
    && pip install -r requirements.txt

COPY README.md ./
COPY app ./app
COPY workflows ./workflows
COPY activities ./activities
RUN pip install --no-deps .

# --- runtime: Python, git and the virtualenv; no compiler, no sources ------------------------
FROM python:3.11-slim

RUN apt-get update \
    && apt-get install -y --no-install-recommends git ca-certificates tini \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 --shell /usr/sbin/nologin repograph

COPY --from=build /opt/repograph /opt/repograph

ENV PATH=/opt/repograph/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOST=0.0.0.0 \
    PORT=8000 \
    WORKSPACE_DIR=/home/repograph/workspaces

USER repograph
WORKDIR /home/repograph
EXPOSE 8000

# tini forwards SIGTERM to repograph and reaps the git and parser child processes.
ENTRYPOINT ["tini", "--"]
CMD ["repograph", "serve"]
