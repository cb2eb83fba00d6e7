"""``make bench`` works: its quick mode runs every step on small data and writes the table.

No timing is asserted (the machine running the tests is no benchmark machine); what is
checked is that both contenders built every report, that an edited export rebuilt what
it should, that an edited correction reached the round's report with ``build --round``
and under ``watch``, that Ctrl-C ended the watch cleanly, and that the big inputs were
cleaned and read whole.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from support import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("bench")]


def test_bench_quick_mode_runs_every_step(tmp_path: Path) -> None:
    output = tmp_path / "benchmarks.md"
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench.py"), "--quick", "--output", str(output)],
        capture_output=True, text=True, timeout=3600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    text = output.read_text(encoding="utf-8")
    assert "Quick mode" in text
    assert "| reports that failed (baseline / build) | 0 / 0 |" in text
    assert "(as expected)" in text  # the edited export rebuilt its round, synthesis, review, index
    assert "Ctrl-C ends it cleanly (exit 0)" in text
    own = re.findall(r"its own-language report rewritten \| ([0-9.]+|nan) s", text)
    assert len(own) == 2 and "nan" not in own  # the correction reached the report both ways
    rows = re.search(r"cleaning ([0-9,]+) long response rows", text)
    assert rows and int(rows.group(1).replace(",", "")) > 15_000
    assert "reading a 2,000-row .xlsx export (26 columns)" in text
