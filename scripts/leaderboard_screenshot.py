"""Screenshots of the HTML leaderboard for the README, taken in headless chromium (the browser the tests use).

    bench run -r bm25 -r splade -r splade-ft@hd-cpu -r 'hybrid:bm25+splade-ft@hd-cpu-if' ... \
        -d homedepot --data-dir DATA --output-dir RESULTS
    python scripts/leaderboard_screenshot.py RESULTS --data-dir DATA [--out docs/leaderboard-html]

builds the page with ``bench leaderboard RESULTS --html`` (in a temporary folder unless --html names a file: the
page embeds the dataset's queries and titles, which are not ours to commit) and writes OUT-top.png (the tables)
and OUT-per-query.png (the per-query view, its first query opened). Needs chromium and chromium-driver (apt-get)
and selenium ([dev]).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from browser import missing, start  # the tests' browser helper

WIDTH, HEIGHT = 1600, 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", type=Path)
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--cache-dir", type=Path)
    parser.add_argument("--out", type=Path, default=Path("docs/leaderboard-html"))
    parser.add_argument("--html", type=Path, help="keep the page here (default: a temporary file)")
    args = parser.parse_args()
    why = missing()
    if why:
        sys.exit(f"cannot take screenshots: {why}")
    with tempfile.TemporaryDirectory() as folder:
        shoot(args, args.html or Path(folder) / "leaderboard.html")


def shoot(args: argparse.Namespace, page: Path) -> None:
    command = [str(Path(sys.executable).with_name("bench")), "leaderboard", str(args.results), "--html", str(page)]
    for option, value in (("--data-dir", args.data_dir), ("--cache-dir", args.cache_dir)):
        if value:
            command.extend([option, str(value)])
    subprocess.run(command, check=True)
    from selenium.webdriver.support.wait import WebDriverWait

    driver = start(WIDTH, HEIGHT)
    try:
        driver.get(page.resolve().as_uri())
        driver.save_screenshot(str(args.out.with_name(args.out.name + "-top.png")))
        section = driver.find_element("css selector", "section.per-query")
        section.find_element("css selector", ".pq-list summary").click()
        WebDriverWait(driver, 10).until(lambda _: section.find_elements("css selector", ".pq-system"))
        driver.execute_script("arguments[0].scrollIntoView()", section)
        driver.save_screenshot(str(args.out.with_name(args.out.name + "-per-query.png")))
    finally:
        driver.quit()
    print(f"wrote {args.out.name}-top.png and {args.out.name}-per-query.png in {args.out.parent}")


if __name__ == "__main__":
    main()
