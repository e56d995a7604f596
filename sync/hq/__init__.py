"""The HQ server: FastAPI app, tables, migrations, the `kupa-hq` command line."""
