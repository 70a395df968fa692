# gdviz, one Streamlit worker per container (compose.yaml runs two behind nginx, with Redis).
# No browser inside: Chromium is only for the tests. Build: docker build -t gdviz .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    # one BLAS thread per process, as the Makefile sets it (threaded BLAS stalls a shared box)
    OPENBLAS_NUM_THREADS=1 \
    OMP_NUM_THREADS=1 \
    MKL_NUM_THREADS=1

WORKDIR /app

# Only the runtime part of requirements.txt (the lines above "# Tests and benchmarks").
COPY requirements.txt ./
RUN sed '/^# Tests and benchmarks/,$d' requirements.txt > /tmp/runtime.txt \
 && pip install -r /tmp/runtime.txt \
 && rm /tmp/runtime.txt

COPY .streamlit/ .streamlit/
COPY app.py ./
COPY gdviz/ gdviz/
COPY pages/ pages/

# A user without a login or a home to write in; it owns only static/ (files the app copies there).
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin gdviz \
 && mkdir -p static \
 && chown gdviz static
USER gdviz

EXPOSE 8501
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/_stcore/health' % os.environ.get('PORT', '8501'), timeout=4)"]
# PORT: each worker of compose.yaml has its own (nginx tells the workers apart by port).
CMD ["sh", "-c", "exec python -m streamlit run app.py --server.address 0.0.0.0 --server.port ${PORT:-8501} --server.headless true"]
