"""A report page rendered in headless Chromium, as a reader's browser shows it: what the console
said, where each chart was laid out, and a screenshot of the whole page.

The page itself holds no script. A copy of it gets two: one first in ``<head>`` that records
every error (uncaught, ``console.error``, a resource that failed to load), and one that, once
the page has loaded, writes each chart's box and the page's height into the DOM Chromium dumps. The
screenshot is of the page as written, at that height, so every chart is in it. Without Chromium
the caller skips, saying so (``.ci/run`` installs it).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from matplotlib import image

WIDTH = 1280
_ERRORS = """<script>
window.__errors = [];
addEventListener('error', e => __errors.push(e.message || ('failed to load ' +
  (e.target && (e.target.src || e.target.href)))), true);
const __error = console.error;
console.error = (...a) => { __errors.push(a.join(' ')); __error(...a); };
</script>"""
_PROBE = """<script>
addEventListener('load', () => {
  const charts = [...document.querySelectorAll('body svg')]
    .filter(s => !s.parentElement.closest('svg')).map(s => {
      const r = s.getBoundingClientRect(), c = getComputedStyle(s);
      return [r.left + scrollX, r.top + scrollY, r.width, r.height,
              c.visibility === 'visible' && c.display !== 'none' && +c.opacity > 0]; });
  const probe = document.createElement('pre');
  probe.id = 'solrsim-probe';
  probe.textContent = JSON.stringify({errors: __errors, charts: charts,
    height: document.documentElement.scrollHeight});
  document.body.appendChild(probe);
});
</script>"""
_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
    "--enable-logging=stderr",
)


@dataclass
class Rendering:
    errors: list[str]  # what the page's console reported as errors
    charts: list[tuple[float, float, float, float, bool]]  # x, y, width, height, visible
    height: int
    screenshot: np.ndarray  # rows x columns x channels, values 0..1

    def chart_pixels(self, number: int) -> np.ndarray:
        x, y, width, height, _ = self.charts[number]
        return self.screenshot[int(y) : int(y + height), int(x) : int(x + width), :3]


def browser() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("Chromium not installed: report.html not rendered (install chromium to check)")
    return found


def render(page: Path, work: Path) -> Rendering:
    chromium = browser()
    text = page.read_text(encoding="utf-8")
    probe = page.with_name(f"probe-{page.name}")
    probe.write_text(
        text.replace("<head>", "<head>\n" + _ERRORS, 1).replace("</body>", _PROBE + "</body>", 1),
        encoding="utf-8",
    )
    dumped = _run(chromium, work, "--dump-dom", probe.as_uri())
    found = re.search(r'<pre id="solrsim-probe">(.*?)</pre>', dumped.stdout, re.DOTALL)
    assert found is not None, f"the probe did not run: {dumped.stderr[-2000:]}"
    probed = json.loads(_unescape(found.group(1)))
    screenshot = work / f"{page.stem}.png"
    height = int(probed["height"])
    shot = _run(
        chromium,
        work,
        f"--screenshot={screenshot}",
        f"--window-size={WIDTH},{height}",
        page.as_uri(),
    )
    errors = list(probed["errors"]) + [
        line
        for run in (dumped, shot)
        for line in run.stderr.splitlines()
        if "CONSOLE" in line and ("Uncaught" in line or "ERROR" in line)
    ]
    return Rendering(
        errors, [tuple(chart) for chart in probed["charts"]], height, image.imread(screenshot)
    )


def _run(chromium: str, work: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [chromium, *_FLAGS, f"--user-data-dir={work / 'profile'}", *args],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    )


def assert_renders(page: Path, work: Path, charts: int) -> Rendering:
    """The page renders without console errors, with ``charts`` charts laid out visible, each
    drawn in the screenshot (not one blank colour)."""
    rendering = render(page, work)
    assert rendering.errors == [], rendering.errors
    assert len(rendering.charts) == charts, rendering.charts
    rows, columns, _ = rendering.screenshot.shape
    for number, (x, y, width, height, visible) in enumerate(rendering.charts):
        assert visible and width > 100 and height > 100, (number, rendering.charts[number])
        assert x + width <= columns and y + height <= rows, "a chart is outside the screenshot"
        pixels = rendering.chart_pixels(number).reshape(-1, 3)
        colours = len(np.unique((pixels * 255).round().astype(np.uint8), axis=0))
        assert colours > 16, f"chart {number} is blank in the screenshot ({colours} colours)"
    return rendering
