from __future__ import annotations

import pytest

from benchmark.core.errors import UnknownNameError
from benchmark.datasets.base import GainScheme, Product, make_dataset
from benchmark.datasets.text import (
    TextBuilder,
    TextFormat,
    build_texts,
    clean,
    corpus_key,
    dropped_fields,
)

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


# --- the dataset's default format ------------------------------------------------------------------


def _dataset(products: dict[str, Product], default: str = "title-brand-bullets"):
    qrels = {"q": {next(iter(products)): 1}}
    return make_dataset("t", products, {"q": "drill"}, qrels, {"test": ["q"]}, GainScheme({"1": 1}, 1),
                        default_text_format=default)


def test_a_retriever_takes_the_dataset_default_unless_its_settings_name_a_format():
    from benchmark.fusion.resolve import resolve_system as resolve_config

    assert resolve_config("bm25", text_format="full").text_format is TextFormat.FULL
    assert resolve_config("bm25", ["text_format=title"], text_format="full").text_format is TextFormat.TITLE
    assert resolve_config("bm25").text_format is TextFormat.TITLE_BRAND_BULLETS
    fused = resolve_config("hybrid:bm25+bm25-rank", ["bm25.text_format=title"], text_format="full")
    assert [cfg.text_format for _, cfg in fused.parts] == [TextFormat.TITLE, TextFormat.FULL]


def test_the_default_is_not_part_of_the_dataset_checksum():
    assert _dataset({"a": PRODUCT}, "full").checksum == _dataset({"a": PRODUCT}).checksum


# --- which non-empty fields a format leaves out ---------------------------------------------------


CATALOG = {
    "a": PRODUCT,  # brand, a long HTML description, 4 non-empty bullets (one blank among the first 3)
    "b": Product("Battery", bullets=("18V", "2 Ah", "", "   ")),  # blank bullets after the third: nothing dropped
    "c": Product("Bit set", description="   ", bullets=("", "", "", "", "Magnetic")),  # blank description
    "d": Product("Case", brand="Voltix", description="<p>" + "y" * 150 + "</p>" + " " * 80),  # 150 chars clean
}


def _dropped(fmt: str, **kw) -> dict[str, int]:
    return {d.field: d.products for d in dropped_fields(_dataset(CATALOG), TextBuilder(fmt, **kw))}


def test_dropped_fields_per_format():
    assert _dropped("full") == {}
    assert _dropped("title") == {"brand": 2, "description": 2, "bullets": 3}
    assert _dropped("title-brand-bullets") == {"description": 2, "bullets": 2}
    assert _dropped("series") == {"description": 1, "bullets": 2}  # only "a" is longer than 200 once cleaned
    assert _dropped("series", description_chars=100) == {"description": 2, "bullets": 2}
    assert _dropped("title-brand-bullets", max_bullets=5) == {"description": 2}


def test_dropped_fields_agree_with_the_built_texts():
    """A field counted as dropped for a product is really absent from (or cut from) its text, and vice versa."""
    for fmt in TextFormat:
        builder = TextBuilder(fmt)
        full = {k: TextBuilder(TextFormat.FULL).build(p) for k, p in CATALOG.items()}
        short = {k: builder.build(p) for k, p in CATALOG.items()}
        losing = sum(1 for k in CATALOG if len(short[k]) < len(full[k]))
        counted = dropped_fields(_dataset(CATALOG), builder)
        assert (losing > 0) == bool(counted), fmt
        assert max((d.products for d in counted), default=0) <= losing


def test_the_full_format_drops_nothing_and_the_product_default_drops_descriptions():
    assert dropped_fields(_dataset(CATALOG, "full"), TextBuilder(TextFormat.FULL)) == ()
    assert {d.field for d in dropped_fields(_dataset(CATALOG), TextBuilder())} == {"description", "bullets"}


# --- product class and category path (WANDS) ------------------------------------------------------


SOFA = Product(title="Linen Sofa", brand="Hollow", description="A deep seat.", bullets=("Seats 3", "Linen"),
               color="grey", category="Furniture / Living Room Furniture / Sofas", product_class="Sofas")


def test_the_full_format_adds_class_and_category_path_after_the_brand():
    assert TextBuilder(TextFormat.FULL).build(SOFA) == (
        "Linen Sofa | Hollow | Sofas | Furniture / Living Room Furniture / Sofas | A deep seat. | Seats 3 | Linen")


def test_title_brand_category_bullets_is_title_brand_bullets_plus_class_and_category():
    fmt = TextFormat.TITLE_BRAND_CATEGORY_BULLETS
    assert TextBuilder(fmt).build(SOFA) == "Linen Sofa | Hollow | Sofas | Furniture / Living Room Furniture / Sofas | Seats 3 | Linen"
    assert TextBuilder(fmt).build(PRODUCT) == TextBuilder(TextFormat.TITLE_BRAND_BULLETS).build(PRODUCT)
    assert TextBuilder(fmt, max_bullets=1).build(SOFA).endswith("/ Sofas | Seats 3")
    assert TextFormat.parse("title-brand-category-bullets") is fmt


def test_formats_that_did_not_change_build_byte_identical_texts():
    """Pinned before the class and category were indexed: the same texts, the same builder fingerprints (so
    the corpus key of a catalog without classes, and every cache keyed by it, is unchanged)."""
    assert TextBuilder("title-brand-bullets").build(PRODUCT) == "Cordless Drill 18V | Voltix | Two batteries | LED light"
    assert TextBuilder("title-brand-bullets").build(SOFA) == "Linen Sofa | Hollow | Seats 3 | Linen"
    assert TextBuilder("series").build(SOFA) == "[Hollow] Linen Sofa | A deep seat. | Seats 3 | Linen"
    assert TextBuilder("title").build(SOFA) == "Linen Sofa"
    fingerprints = {f.value: TextBuilder(f).fingerprint for f in TextFormat}
    assert fingerprints["title"] == "3e9b78f09e240e19" and fingerprints["series"] == "5490d8cd99fcc462"
    assert fingerprints["title-brand-bullets"] == "1a03bd3e17e241f2" and fingerprints["full"] == "08918a5719223528"
    assert len(set(fingerprints.values())) == len(TextFormat)


def test_a_catalog_without_classes_keeps_its_checksum_and_a_class_changes_it():
    products = {"a": Product("Cordless Drill 18V", "Voltix", "<b>Compact</b> drill", ("Two batteries", "LED light"),
                             "red", "Tools"), "b": Product("Battery")}
    before = "5f84d0f7949e026d1fea8f8c4c929957fce2d03a9809a9c14af60391befd8815"  # pinned before product_class
    qrels, splits, gains = {"q": {"a": 1}}, {"test": ["q"]}, GainScheme({"1": 1}, 1)
    assert make_dataset("t", products, {"q": "drill"}, qrels, splits, gains).checksum == before
    products["b"] = Product("Battery", product_class="Batteries")
    assert make_dataset("t", products, {"q": "drill"}, qrels, splits, gains).checksum != before


def test_dropped_fields_know_class_and_category():
    ds = _dataset({"s": SOFA, "a": PRODUCT, "c": Product("Chair", product_class="Chairs")})
    dropped = lambda fmt: {d.field: d.products for d in dropped_fields(ds, TextBuilder(fmt))}
    assert dropped("title-brand-bullets") == {"description": 2, "bullets": 1, "product_class": 2, "category": 1}
    assert dropped("series") == {"description": 1, "bullets": 1, "product_class": 2, "category": 1}
    assert dropped("title-brand-category-bullets") == {"description": 2, "bullets": 1}
    assert dropped("full") == {}
    for fmt in TextFormat:  # a field counted as dropped is really missing from some text
        for field in ("product_class", "category"):
            if field in dropped(fmt):
                assert getattr(SOFA, field) not in TextBuilder(fmt).build(SOFA), fmt
            else:
                assert getattr(SOFA, field) in TextBuilder(fmt).build(SOFA), fmt
