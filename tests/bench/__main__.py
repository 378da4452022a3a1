"""Benchmarks: `python3 quickstart.py bench [--entries N]` (or `.venv/bin/python -m tests.bench`).

Each runs in a fresh data folder against a database made for it (SQLite, or the server of DATABASE_URL
under a test_ name) and prints its figures. The machine is shared: compare the ratios within one run.
"""

import argparse
import os
import shutil
import sys
import tempfile


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000, help="audit entries to append and verify (default 1,000,000)")
    parser.add_argument("--actions", type=int, default=2_000, help="messages posted with and without their audit entry")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="hotline-bench-")
    os.environ["HOTLINE_DATA_DIR"] = folder
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    from django.conf import settings

    setup_test_environment()
    # The actions push their events: the embedded Redis answers them as it does in the demo.
    embedded_redis = None
    if settings.EMBEDDED_REDIS:
        from hotline.embedded_redis import EmbeddedRedis

        embedded_redis = EmbeddedRedis(folder)
        embedded_redis.start()
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from tests.bench import bench_audit

        bench_audit.run(entries=args.entries, actions=args.actions)
    finally:
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)
        if embedded_redis is not None:
            embedded_redis.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
