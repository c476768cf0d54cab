# The one image of the production stack: web (gunicorn), worker, beat and flower.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    ADOLF_DATA_DIR=/app/var

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Static files are collected at build time; DEBUG only lets settings load without secrets.
RUN DEBUG=true python manage.py collectstatic --noinput \
    && useradd --system --home /app adolf \
    && chown -R adolf /app/var
USER adolf

EXPOSE 8000
CMD ["gunicorn", "adolf.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "30"]
