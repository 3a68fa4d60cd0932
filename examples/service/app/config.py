"""Settings, hardcoded: BP409 (secrets in code) and BP502 (credentials in a DSN)."""

SECRET_KEY = "s3cr3t-signing-key-do-not-share"
DATABASE_URL = "postgresql://orders:hunter2@db.internal:5432/orders"
maxRetries = 3
