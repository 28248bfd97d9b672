"""The reference engine (npm ``opening_hours``) under node, installed into a cache dir outside the repo."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

CACHE = Path(os.environ.get("DATENHUB_OH_ORACLE", Path.home() / ".cache" / "datenhub-oh-oracle"))

DRIVER = r"""
const OH = require(__dirname + '/node_modules/opening_hours');
let input = '';
process.stdin.on('data', d => { input += d; });
process.stdin.on('end', () => {
  const req = JSON.parse(input);
  const nominatim = {lat: req.lat, lon: req.lon, address: {country_code: 'de', state: req.state_name}};
  const out = [];
  for (const value of req.values) {
    let oh;
    try { oh = new OH(value, nominatim, {mode: 0, locale: 'en'}); } catch (e) { out.push(null); continue; }
    const rows = [];
    for (const t of req.times) {
      const d = new Date(t);
      try {
        rows.push([oh.getState(d), oh.getUnknown(d), oh.getComment(d) === undefined ? null : oh.getComment(d)]);
      } catch (e) { rows.push(null); }
    }
    out.push(rows);
  }
  process.stdout.write(JSON.stringify(out));
});
"""


def why_unavailable() -> str:
    """Empty when the oracle can run, else the reason to skip."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        return "node/npm not installed"
    if (CACHE / "node_modules" / "opening_hours").is_dir():
        return ""
    CACHE.mkdir(parents=True, exist_ok=True)
    if not (CACHE / "package.json").exists():
        (CACHE / "package.json").write_text('{"name": "datenhub-oh-oracle", "private": true}\n')
    try:
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(CACHE), "opening_hours"],
            check=True,
            capture_output=True,
            timeout=300,
        )
    except (subprocess.SubprocessError, OSError) as exc:
        return f"could not install npm package opening_hours: {exc}"
    return ""


def run(values: list[str], times_ms: list[int], lat: float, lon: float, state_name: str) -> list[Any]:
    driver = CACHE / "oracle.js"
    driver.write_text(DRIVER)
    payload = json.dumps({"values": values, "times": times_ms, "lat": lat, "lon": lon, "state_name": state_name})
    env = dict(os.environ, TZ="Europe/Berlin")
    done = subprocess.run(
        ["node", str(driver)], input=payload, capture_output=True, text=True, timeout=120, check=True, env=env
    )
    return json.loads(done.stdout)
