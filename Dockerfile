FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=collab.settings.production
WORKDIR /app
COPY requirements.lock pyproject.toml ./
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
# Settings need a PostgreSQL DATABASE_URL to load; collectstatic never connects.
RUN SECRET_KEY=build-only DATABASE_URL=postgres://build@localhost/build python manage.py collectstatic --noinput
RUN useradd --create-home collab && mkdir -p /app/var && chown -R collab /app/var
USER collab
EXPOSE 8000
CMD ["gunicorn", "collab.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
