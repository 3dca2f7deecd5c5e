"""SQLite store: schema, migrations, and the async engine with our pragmas."""
