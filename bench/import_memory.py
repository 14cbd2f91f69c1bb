"""``./dev bench import-memory``: the peak memory of an import as the file grows (issue 13 §5).

For each size of ``--counts`` (default 100000,300000), the file of ``./dev bench import`` (the
same generator: 20 % existing partners written differently, 2 % repeated, 1 % broken) is written
row by row, then ``odoo-bin hygiene import FILE --dry-run`` (read, stage, normalise, match; add
``--commit`` to write the contacts too) runs under ``/usr/bin/time -v`` on a copy of the base
(``--template``, made when missing as ``./dev bench import`` makes it). Printed: rows, wall time,
the command's peak RSS ("Maximum resident set size") and, between two sizes, the memory each
further 100,000 rows cost. Target: under 1 GB for 1,000,000 rows, the peak flat in the rows.

    ./dev bench import-memory --counts 100000,300000 [--template is_bench_10000] [--db NAME]
        [--commit]
"""

import re
import subprocess
import sys
from pathlib import Path

import import_bench

HERE = Path(__file__).resolve().parent


def _time_v(command):
    """Run ``command`` under ``/usr/bin/time -v``: ``(status, peak MB, seconds, stdout)``."""
    process = subprocess.run(
        ["/usr/bin/time", "-v", *command], capture_output=True, text=True, check=False
    )
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", process.stderr)
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", process.stderr)
    seconds = 0.0
    for part in (wall.group(1) if wall else "0").split(":"):
        seconds = seconds * 60 + float(part)
    if process.returncode:
        print(process.stderr[-3000:])
    return process.returncode, int(peak.group(1)) / 1024 if peak else 0.0, seconds, process.stdout


def _load():
    with open("/proc/loadavg", encoding="ascii") as handle:
        return " ".join(handle.read().split()[:3])


def bench_import_memory(args):
    import odoo

    counts = [int(c) for c in (args.counts or "100000,300000").split(",")]
    template = args.template or "hygiene_bench_10000"
    db = args.db or "hygiene_bench_import_memory"
    import_bench._ensure_template(args, template, 10_000)
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    figures = []
    for count in counts:
        import_bench._copy_base(args, template, db)
        registry = odoo.modules.registry.Registry(db)
        path = out / f"import_memory_{count}.csv"
        stats = import_bench.generate(path, count, import_bench._existing_partners(registry))
        registry.delete(db)
        odoo.sql_db.close_db(db)
        command = import_bench._hygiene_command(args, db, path)
        if not args.commit:
            command[command.index("--commit")] = "--dry-run"
        load = _load()
        status, peak_mb, seconds, output = _time_v(command)
        print(output[-1200:])
        step = "read, stage, normalise, match" + (", commit" if args.commit else " (dry run)")
        print(
            f"{count} rows {stats} ({step}): {seconds:.0f} s, peak RSS {peak_mb:.0f} MB"
            f" (load average {load}){'' if status == 0 else f', exit {status}'}",
            flush=True,
        )
        figures.append({"rows": count, "seconds": round(seconds), "peak_rss_mb": round(peak_mb)})
        path.unlink()
    for before, after in zip(figures, figures[1:], strict=False):
        growth = (after["peak_rss_mb"] - before["peak_rss_mb"]) / (after["rows"] - before["rows"])
        print(
            f"{before['rows']} -> {after['rows']} rows: peak RSS {before['peak_rss_mb']} -> "
            f"{after['peak_rss_mb']} MB, {growth * 100_000:.0f} MB per further 100,000 rows"
        )
    subprocess.run(["dropdb", "--if-exists", db], check=False)
    return {"bench": "import-memory", "commit": bool(args.commit), "runs": figures}


if __name__ == "__main__":
    sys.exit("run it with ./dev bench import-memory")
