"""`make bench` (bench/load.py): the floor page exists only when asked for, and wrk's figures are read and reported right.

Nothing here is timed: the load test itself never runs in `make test`.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import NoReverseMatch, reverse

from bench import load

ROOT = Path(__file__).resolve().parent.parent

# The end of a real run of `wrk -t2 -c8 -d10s -s bench/wrk_report.lua` against the home page (trimmed).
WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:41234/
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    52.10ms   10.31ms 131.40ms   78.11%
    Req/Sec    76.93     13.01   110.00     70.50%
  1537 requests in 10.01s, 61.24MB read
Requests/sec:    153.54
Transfer/sec:      6.12MB
BENCH {"requests": 1537, "duration_us": 10010482, "bytes": 64216385, "p50_us": 50817, "p95_us": 71390, "p99_us": 92712, \
"max_us": 131402, "connect_errors": 0, "read_errors": 0, "write_errors": 0, "status_errors": 0, "timeouts": 0}
"""


def _floor_in_a_fresh_process(**env) -> dict:
    """What /bench/floor/ answers under the production settings module, with the environment given."""
    code = (
        "import django, json; django.setup()\n"
        "from django.db import connection\n"
        "from django.test import Client\n"
        "from django.test.utils import CaptureQueriesContext\n"
        "with CaptureQueriesContext(connection) as queries:\n"
        "    response = Client().get('/bench/floor/', SERVER_NAME='127.0.0.1')\n"
        "print(json.dumps({'status': response.status_code, 'body': response.content.decode(), 'queries': len(queries)}))\n"
    )
    environment = {key: value for key, value in os.environ.items() if key != "BENCH_FLOOR"}
    environment.update(DJANGO_SETTINGS_MODULE="community.settings", **env)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True,
                          timeout=60, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_floor_page_is_not_routed_by_default(client):
    with pytest.raises(NoReverseMatch):
        reverse("bench_floor")
    assert client.get("/bench/floor/").status_code == 404


def test_the_floor_page_is_routed_only_when_bench_floor_is_true_and_reads_nothing():
    assert _floor_in_a_fresh_process()["status"] == 404
    assert _floor_in_a_fresh_process(BENCH_FLOOR="false")["status"] == 404
    assert _floor_in_a_fresh_process(BENCH_FLOOR="true") == {"status": 200, "body": "floor\n", "queries": 0}


def test_wrk_figures_are_read_from_the_report_line():
    result = load.parse_wrk(WRK_OUTPUT)
    assert result.requests == 1537
    assert result.rps == pytest.approx(153.54, abs=0.01)
    assert (result.p50_ms, result.p95_ms, result.p99_ms) == (50.817, 71.39, 92.712)
    assert result.errors == 0


def test_wrk_output_without_the_report_line_is_an_error():
    with pytest.raises(ValueError, match="no BENCH line"):
        load.parse_wrk("unable to connect to 127.0.0.1:9 Connection refused\n")


def _result(rps: float, p50: float, p95: float, errors: int = 0) -> load.Result:
    return load.Result(requests=int(rps * 10), seconds=10, p50_ms=p50, p95_ms=p95, p99_ms=p95 * 1.5, max_ms=p95 * 2,
                       errors=errors)


def test_each_page_is_compared_with_its_own_roles_floor_and_its_target():
    pages = [load.Page("floor", "anonymous", "/bench/floor/"), load.Page("home", "anonymous", "/"),
             load.Page("floor", "member", "/bench/floor/"), load.Page("home", "member", "/"),
             load.Page("unanswered", "anonymous", "/unanswered/")]
    results = dict(zip(pages, [_result(2000, 3, 5), _result(1500, 4, 8), _result(1000, 6, 9), _result(100, 60, 80),
                               _result(500, 12, 20, errors=3)], strict=True))
    rows = load.table(pages, results, judge=load._rps_target)[2:]
    assert rows[1] == "| home `/` | anonymous | 1,500 | 4.0 | 8.0 | 12.0 | 0.75 | 1.3 | ≥ 1,400 req/s | yes |"
    assert rows[3] == "| home `/` | member | 100 | 60.0 | 80.0 | 120.0 | 0.10 | 10.0 | ≥ 250 req/s | no: ×2.5 short |"
    assert rows[4].endswith("| — | 3 errors |")  # no target for anonymous unanswered; errors always shown
    single = load.table(pages, results, judge=load._p95_target)[2:]
    assert single[3].endswith("| p95 ≤ 12 ms | no: ×6.7 over |")


def test_the_report_replaces_its_own_section_and_keeps_the_rest(tmp_path, monkeypatch):
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\nby hand\n")
    monkeypatch.setattr(load, "DOC", doc)
    load.write_doc(f"{load.MARK_START}\nfirst\n{load.MARK_END}\n")
    doc.write_text(doc.read_text() + "\n## Later, by hand\n")
    load.write_doc(f"{load.MARK_START}\nsecond\n{load.MARK_END}\n")
    assert doc.read_text() == f"# Benchmarks\n\nby hand\n\n{load.MARK_START}\nsecond\n{load.MARK_END}\n\n## Later, by hand\n"
