from __future__ import annotations

import pytest

from benchmark.datasets.base import GainScheme, Product, make_dataset
from benchmark.datasets.text import TextBuilder, TextFormat, build_texts, clean, corpus_key
from benchmark.errors import UnknownNameError

PRODUCT = Product(
    title="Cordless Drill 18V",
    brand="Voltix",
    description="<b>Compact</b> drill &amp; driver. " + "x" * 300,
    bullets=("Two batteries", "  ", "LED light", "Belt clip", "Case"),
)


def test_title_format():
    assert TextBuilder(TextFormat.TITLE).build(PRODUCT) == "Cordless Drill 18V"


def test_title_brand_bullets_format_skips_empty_parts():
    text = TextBuilder("title-brand-bullets").build(PRODUCT)
    assert text == "Cordless Drill 18V | Voltix | Two batteries | LED light"
    assert TextBuilder("title-brand-bullets").build(Product("Battery")) == "Battery"


def test_series_format_matches_the_blog_layout():
    text = TextBuilder(TextFormat.SERIES).build(PRODUCT)
    head, description, *bullets = text.split(" | ")
    assert head == "[Voltix] Cordless Drill 18V"
    assert description.startswith("Compact drill & driver.") and len(description) <= 200
    assert bullets == ["Two batteries", "LED light"]  # three bullets taken, the blank one dropped
    assert TextBuilder(TextFormat.SERIES).build(Product("Battery")) == "Battery"


def test_full_format_keeps_everything():
    text = TextBuilder(TextFormat.FULL).build(PRODUCT)
    assert text.startswith("Cordless Drill 18V | Voltix | Compact drill & driver. " + "x" * 300)
    assert text.endswith(" | Two batteries | LED light | Belt clip | Case")


def test_clean_strips_html_and_whitespace():
    assert clean("<p>a&nbsp;b</p>\n\n c") == "a b c"
    assert clean("  plain   text ") == "plain text"


def test_unknown_format_lists_valid_ones():
    with pytest.raises(UnknownNameError, match="title, title-brand-bullets, series, full"):
        TextBuilder("markdown")


def test_fingerprint_and_corpus_key_change_with_every_setting():
    ds = make_dataset("t", {"a": PRODUCT}, {"q": "drill"}, {"q": {"a": 1}}, {"test": ["q"]}, GainScheme({"1": 1}, 1))
    builders = [TextBuilder(), TextBuilder(TextFormat.TITLE), TextBuilder(TextFormat.SERIES),
                TextBuilder(TextFormat.FULL), TextBuilder(description_chars=100), TextBuilder(max_bullets=1), TextBuilder(separator=" ; ")]
    assert len({b.fingerprint for b in builders}) == len(builders)
    assert len({corpus_key(ds, b) for b in builders}) == len(builders)
    assert TextBuilder().fingerprint == TextBuilder("title-brand-bullets").fingerprint
    assert build_texts(ds, TextBuilder(TextFormat.TITLE)) == {"a": "Cordless Drill 18V"}
