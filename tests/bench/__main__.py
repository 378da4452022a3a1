"""Benchmarks: `python3 quickstart.py bench [audit] [escalation] [notifications] [review] [--entries N]
[--timers N] [--volumes N] [--messages N]` (or `.venv/bin/python -m tests.bench`); without names, all of them.

Each runs in a fresh data folder against a database made for it (SQLite, or the server of DATABASE_URL
under a test_ name) and prints its figures. The machine is shared: compare the ratios within one run.
"""

import argparse
import os
import shutil
import sys
import tempfile

BENCHMARKS = ["audit", "escalation", "notifications", "review"]


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "benchmarks", nargs="*", metavar="NAME", help=f"which to run: {', '.join(BENCHMARKS)} (default: all)"
    )
    parser.add_argument(
        "--entries", type=int, default=1_000_000, help="audit entries to append and verify (default 1,000,000)"
    )
    parser.add_argument("--actions", type=int, default=2_000, help="messages posted with and without their audit entry")
    parser.add_argument("--timers", type=int, default=10_000, help="escalation deadlines to fire (default 10,000)")
    parser.add_argument(
        "--spread", type=float, default=60.0, help="seconds the deadlines are spread over (default 60; 0: all at once)"
    )
    parser.add_argument(
        "--methods",
        default="console,email",
        help="how level 1 pages (default console,email; console alone: the engine only)",
    )
    parser.add_argument(
        "--volumes",
        type=int,
        default=10_000,
        help="drone-flight volumes whose recipients are computed (default 10,000)",
    )
    parser.add_argument("--seed", type=int, default=8, help="the random volumes' and the year's seed (default 8)")
    parser.add_argument(
        "--messages", type=int, default=100_000, help="messages of the year the review computes (default 100,000)"
    )
    parser.add_argument("--runs", type=int, default=5, help="review: runs of each computation (default 5)")
    parser.add_argument(
        "--explain", action="store_true", help="review: also print the slowest queries of each computation"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the database and data folder afterwards (to EXPLAIN by hand)"
    )
    args = parser.parse_args()
    unknown = set(args.benchmarks) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark {', '.join(sorted(unknown))}; choose from {', '.join(BENCHMARKS)}")
    chosen = [name for name in BENCHMARKS if name in args.benchmarks or not args.benchmarks]

    folder = tempfile.mkdtemp(prefix="hotline-bench-")
    os.environ["HOTLINE_DATA_DIR"] = folder
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    # The actions push their events: the embedded Redis answers them as it does in the demo.
    embedded_redis = None
    if settings.EMBEDDED_REDIS:
        from hotline.embedded_redis import EmbeddedRedis

        embedded_redis = EmbeddedRedis(folder)
        embedded_redis.start()
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        if "audit" in chosen:
            from tests.bench import bench_audit

            bench_audit.run(entries=args.entries, actions=args.actions)
        if "escalation" in chosen:
            from tests.bench import bench_escalation

            bench_escalation.run(timers=args.timers, spread_s=args.spread, methods=args.methods.split(","))
        if "notifications" in chosen:
            from tests.bench import bench_notifications

            bench_notifications.run(volumes=args.volumes, seed=args.seed)
        if "review" in chosen:
            from tests.bench import bench_review

            bench_review.run(messages=args.messages, seed=args.seed, runs=args.runs, explain=args.explain)
    finally:
        if args.keep:
            print(f"kept: database {connection.settings_dict['NAME']}, data folder {folder}")
        else:
            connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)
        if embedded_redis is not None:
            embedded_redis.stop()
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
