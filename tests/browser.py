"""A real headless browser for page tests: Debian's chromium through its chromedriver (selenium).

:func:`missing` says why none can start here (tests skip with that reason); ``.ci/run`` installs chromium and
chromium-driver so CI runs them.
"""

from __future__ import annotations

import importlib.util
import shutil

CHROMIUM = ("chromium", "chromium-browser", "google-chrome")
DRIVER = "chromedriver"


def missing() -> str | None:
    if importlib.util.find_spec("selenium") is None:
        return "selenium is not installed (pip install -e '.[dev]')"
    if not any(shutil.which(name) for name in CHROMIUM):
        return "no chromium here (apt-get install chromium chromium-driver; .ci/run does)"
    if not shutil.which(DRIVER):
        return "no chromedriver here (apt-get install chromium-driver; .ci/run does)"
    return None


def start(width: int = 1400, height: int = 1000):  # type: ignore[no-untyped-def]
    """A headless chromium whose console messages can be read with ``driver.get_log("browser")``."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    binary = next(shutil.which(name) for name in CHROMIUM if shutil.which(name))
    options.binary_location = binary
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     f"--window-size={width},{height}", "--hide-scrollbars", "--force-device-scale-factor=1"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(shutil.which(DRIVER)), options=options)
