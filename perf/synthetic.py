"""A seeded synthetic e-commerce catalog in BEIR format (``bench run --dataset beir:OUT_DIR`` loads it).

Written for scale tests: 500,000 products take well under a minute, generated and written in blocks
of :data:`BLOCK` products (numpy draws per block, one JSON line per product streamed to disk), so
memory stays flat whatever the size. What it looks like (``title-brand-bullets`` text: the title,
the brand and 0-2 short bullets (40/35/25%); 30% of products also carry a short description):

- **Title**: ``Brand [model] [size/unit] [material] words... Head Noun[, Colour] [(N-Pack)]``, e.g.
  ``Harlow XR2045B 20-Volt Cordless Stavel Brushless Drill, Black (2-Pack)``. The title's number of
  words is lognormal (median 10, sigma .38, clipped to 4..32; measured p5/p50/p95 = 6/10/17 words); the
  free words fill what the brand, model number, units, material, head noun, colour and pack size leave
  (no word twice in a title).
- **Words**: drawn from a Zipfian vocabulary, P(rank r) ~ r^-1.07, of :data:`VOCABULARY` tokens: ~100
  real words at the top ranks ("with", "for", "and", then "heavy", "duty", "outdoor", "cordless"...),
  then made-up pronounceable words, shorter words at more frequent ranks (as in real text).
- **Units**: ``1/2 in.``, ``3/4 in. x 10 ft.``, ``20-Volt``, ``60-Watt``, ``2700K``, ``5 gal.``, ``12 oz.``,
  ``16-Gauge``, ``(4-Pack)``...; **brands**: 3,000 made-up names, popularity (r+20)^-1 (top ~1%); 32
  categories with their head nouns; 28 colours; 24 materials; model numbers on 20% of products.
- **Variants**: 8% of products are a variant of the product before them (same brand, model, words
  and noun; another colour or size), the way catalogs list colours and sizes.

Queries: 1-5 words (P = .08/.27/.32/.21/.12) taken from one target product's title (its head noun
with probability .8, brand .2, colour .15, unit .15, the rest from its words, 70% of the time only
words outside the 50 most frequent; title order 80% of the time), lowercased; 30% get a noise word from the vocabulary in place of one word, 10% one more
generic word ("best", "cheap", ...). Judgements (``qrels/test.tsv``): the target product gain 2, up to
five variants of it gain 1. Corpus, targets and queries use separate seeded streams, so the corpus
does not depend on the number of queries.

    python -m perf.synthetic OUT_DIR --products 500000 --queries 10000 --seed 13
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import orjson

GENERATOR_VERSION = "1"
BLOCK = 20_000  # products drawn and written per step
VOCABULARY = 30_000
ZIPF_S = 1.07
BRANDS = 3_000
TITLE_MEDIAN_WORDS = 10.0
TITLE_SIGMA = 0.38
QUERY_LENGTH_P = (0.08, 0.27, 0.32, 0.21, 0.12)  # 1..5 words
VARIANT_P = 0.08

REAL_WORDS = (
    "with", "for", "and", "in", "of", "set", "heavy", "duty", "outdoor", "indoor", "cordless", "portable",
    "adjustable", "round", "square", "large", "small", "mini", "pro", "premium", "classic", "modern", "decorative",
    "replacement", "universal", "compact", "wireless", "electric", "manual", "commercial", "residential",
    "waterproof", "rechargeable", "kit", "tool", "series", "standard", "high", "low", "double", "single", "light",
    "wall", "floor", "kitchen", "bath", "garden", "patio", "office", "home", "storage", "mount", "frame", "cover",
    "cord", "base", "door", "window", "top", "side", "corner", "extra", "long", "wide", "thin", "flat", "soft",
    "hard", "quick", "easy", "smart", "safety", "multi", "purpose", "natural", "vintage", "rustic", "contemporary",
    "led", "usb", "digital", "brushless", "folding", "stackable", "non-slip", "dual", "triple", "flush", "recessed",
    "hanging", "standing", "tabletop", "deluxe", "essential", "ultra", "max", "plus", "lite", "original", "slim",
    "insulated", "reversible"
)
COLOURS = ("Black", "White", "Gray", "Silver", "Brushed Nickel", "Oil-Rubbed Bronze", "Matte Black", "Chrome",
           "Red", "Blue", "Navy", "Green", "Sage", "Beige", "Brown", "Espresso", "Walnut", "Natural", "Teak",
           "Ivory", "Charcoal", "Yellow", "Orange", "Pink", "Purple", "Soft White", "Clear", "Gold")
MATERIALS = ("Steel", "Stainless Steel", "Aluminum", "Brass", "Copper", "Cast Iron", "Wood", "Acacia Wood",
             "Bamboo", "Oak", "Pine", "Plastic", "Vinyl", "PVC", "Ceramic", "Porcelain", "Glass", "Cotton",
             "Polyester", "Leather", "Rubber", "Silicone", "Concrete", "Resin")
CATEGORIES = {
    "Power Tools": ("Drill", "Impact Driver", "Circular Saw", "Jigsaw", "Orbital Sander", "Angle Grinder"),
    "Hand Tools": ("Hammer", "Screwdriver Set", "Wrench", "Pliers", "Utility Knife", "Tape Measure"),
    "Lighting": ("Light Bulb", "Ceiling Fan", "Pendant Light", "Wall Sconce", "Flood Light", "Table Lamp"),
    "Plumbing": ("Faucet", "Shower Head", "Toilet Seat", "P-Trap", "Shut-Off Valve", "Supply Line"),
    "Outdoor Furniture": ("Adirondack Chair", "Bench", "Patio Table", "Umbrella", "Hammock", "Chaise Lounge"),
    "Kitchen": ("Cookware Set", "Skillet", "Knife Block", "Cutting Board", "Mixing Bowl", "Dish Rack"),
    "Storage": ("Shelf", "Storage Bin", "Tool Box", "Cabinet", "Utility Hook", "Shelving Unit"),
    "Paint": ("Interior Paint", "Primer", "Paint Brush", "Roller Cover", "Painter's Tape", "Spray Paint"),
    "Hardware": ("Wood Screws", "Hex Bolts", "Drywall Anchors", "Door Hinge", "Door Knob", "Cabinet Pull"),
    "Electrical": ("Extension Cord", "Outlet", "Light Switch", "Circuit Breaker", "Power Strip", "Junction Box"),
    "Flooring": ("Vinyl Plank", "Floor Tile", "Area Rug", "Carpet Tile", "Underlayment", "Stair Tread"),
    "Garden": ("Garden Hose", "Planter", "Pruning Shears", "Leaf Rake", "Sprinkler", "Wheelbarrow"),
    "Bath": ("Towel Bar", "Bathroom Vanity", "Wall Mirror", "Bath Mat", "Shower Curtain", "Toilet Paper Holder"),
    "Phone Accessories": ("Phone Case", "Wall Charger", "Screen Protector", "Charging Cable", "Car Mount"),
    "Appliances": ("Refrigerator", "Microwave", "Dishwasher", "Air Purifier", "Dehumidifier", "Space Heater"),
    "Cleaning": ("Mop", "Broom", "Vacuum", "Spray Bottle", "Scrub Brush", "Trash Can"),
    "Heating & Cooling": ("Air Filter", "Thermostat", "Window Air Conditioner", "Ceiling Vent", "Duct Tape"),
    "Doors & Windows": ("Storm Door", "Window Blind", "Curtain Rod", "Door Mat", "Weather Stripping"),
    "Building Materials": ("Plywood Sheet", "Drywall Panel", "Lumber Board", "Concrete Mix", "Insulation Roll"),
    "Safety": ("Work Gloves", "Safety Glasses", "Ear Muffs", "Smoke Detector", "Fire Extinguisher"),
    "Automotive": ("Floor Mats", "Jump Starter", "Tire Inflator", "Wiper Blades", "Car Cover"),
    "Pet Supplies": ("Dog Bed", "Cat Tree", "Pet Bowl", "Dog Leash", "Litter Box"),
    "Office": ("Desk Chair", "Standing Desk", "File Cabinet", "Desk Lamp", "Monitor Stand"),
    "Bedding": ("Sheet Set", "Comforter", "Pillow", "Mattress Topper", "Duvet Cover"),
    "Home Decor": ("Wall Clock", "Picture Frame", "Throw Pillow", "Vase", "Candle Holder"),
    "Grills": ("Gas Grill", "Charcoal Grill", "Grill Cover", "Smoker", "Grill Brush"),
    "Lawn Care": ("Lawn Mower", "String Trimmer", "Leaf Blower", "Hedge Trimmer", "Spreader"),
    "Audio": ("Bluetooth Speaker", "Headphones", "Soundbar", "Earbuds", "Turntable"),
    "Toys": ("Building Blocks", "Puzzle", "Plush Toy", "Board Game", "Ride-On Car"),
    "Sports": ("Yoga Mat", "Dumbbell Set", "Water Bottle", "Camping Tent", "Sleeping Bag"),
    "Baby": ("Stroller", "High Chair", "Baby Monitor", "Crib Sheet", "Diaper Bag"),
    "Party": ("Balloon Set", "Paper Plates", "String Lights", "Table Cover", "Party Favors"),
}
GENERIC_QUERY_WORDS = ("best", "cheap", "new", "buy", "sale", "top", "good", "quality", "near", "online")
_ONSETS = (
    "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z", "br", "cr", "dr",
    "fl", "gr", "pl", "st", "tr", "sh", "ch", "th", "sk", "sl", "sp", "bl", "cl", "gl", "kr", "pr", "qu"
) + ("",) * 4
_NUCLEI = ("a", "e", "i", "o", "u", "a", "e", "i", "o", "ai", "ea", "oo", "ou", "y", "ie")
_CODAS = (
    "n", "r", "l", "s", "t", "x", "m", "ck", "nd", "st", "rt", "ng", "ll", "sh"
) + ("",) * 8


@dataclass(frozen=True)
class CatalogInfo:
    """What :func:`generate` wrote (also stored as ``synthetic.json``, written last)."""

    products: int
    queries: int
    seed: int
    version: str
    qrels: int
    title_words_p5: float
    title_words_p50: float
    title_words_p95: float
    seconds: float


_FRACTIONS = ("1/4", "3/8", "1/2", "5/8", "3/4", "1", "1-1/4", "1-1/2", "2", "3", "4", "6")
# (template, the choices of each of its fields): one is drawn, then each field in order
_UNIT_PHRASES: tuple[tuple[str, tuple[tuple, ...]], ...] = (
    ("{} in.", (_FRACTIONS,)),
    ("{} in. x {} ft.", (_FRACTIONS, (6, 10, 25, 50, 100))),
    ("{}-Volt", ((4, 8, 12, 18, 20, 40, 60, 120),)),
    ("{}-Watt", ((4, 9, 15, 40, 60, 75, 100, 150, 300, 1500),)),
    ("{}K", ((2700, 3000, 4000, 5000, 6500),)),
    ("{} gal.", ((1, 2, 3.5, 5, 10),)),
    ("{} oz.", ((4, 8, 12, 16, 32, 64),)),
    ("{}-Gauge", ((12, 14, 16, 18, 22),)),
    ("{} in. x {} in.", ((12, 18, 24, 30, 36, 48, 60, 72), (12, 18, 24, 30, 36, 48, 60))),
    ("{} ft.", ((3, 5, 6, 8, 10, 12, 20, 25, 50, 100, 150),)),
    ("{} lb.", ((2, 5, 10, 25, 40, 50, 80),)),
    ("{}-Piece", ((3, 5, 8, 10, 12, 16, 20, 25, 50, 100, 120),)),
)


def _unit_phrase(rng: np.random.Generator) -> str:
    template, fields = _UNIT_PHRASES[int(rng.integers(len(_UNIT_PHRASES)))]
    return template.format(*(choices[int(rng.integers(len(choices)))] for choices in fields))


def _made_up_words(rng: np.random.Generator, count: int, exclude: set[str]) -> list[str]:
    """``count`` distinct pronounceable words of 1-3 syllables, shorter ones first (with some noise)."""
    words: dict[str, None] = {}
    while len(words) < count:
        n = 4 * (count - len(words)) + 100
        syllables = rng.choice([1, 2, 3], size=n, p=[0.2, 0.5, 0.3])
        onsets = rng.integers(len(_ONSETS), size=(n, 3))
        nuclei = rng.integers(len(_NUCLEI), size=(n, 3))
        codas = rng.integers(len(_CODAS), size=n)
        for i in range(n):
            word = "".join(_ONSETS[onsets[i, j]] + _NUCLEI[nuclei[i, j]] for j in range(syllables[i])) + _CODAS[codas[i]]
            if len(word) >= 3 and word not in exclude:
                words.setdefault(word)
    chosen = list(words)[:count]
    order = np.argsort(np.array([len(w) for w in chosen]) + rng.normal(0, 1.5, len(chosen)), kind="stable")
    return [chosen[i] for i in order]


def vocabulary(seed: int, size: int = VOCABULARY) -> list[str]:
    """The Zipfian vocabulary, most frequent first (real descriptive words, then made-up ones)."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 1]))
    exclude = {w.lower() for w in (*COLOURS, *MATERIALS, *GENERIC_QUERY_WORDS)}
    exclude |= {w.lower() for nouns in CATEGORIES.values() for noun in nouns for w in noun.split()}
    real = [w for w in dict.fromkeys(REAL_WORDS) if w not in exclude]
    return real + _made_up_words(rng, size - len(real), exclude | set(real))


def zipf_cdf(size: int, s: float = ZIPF_S, offset: float = 0.0) -> np.ndarray:
    """Cumulative P(rank r) ~ (r + offset)^-s over ranks 1..size."""
    weights = (np.arange(1, size + 1, dtype=np.float64) + offset) ** -s
    return np.cumsum(weights / weights.sum())


def _brands(seed: int) -> list[str]:
    rng = np.random.default_rng(np.random.SeedSequence([seed, 2]))
    stems = _made_up_words(rng, BRANDS + 200, set())
    rng.shuffle(stems)
    names = []
    for i, stem in enumerate(stems[:BRANDS]):
        name = stem.capitalize()
        if i % 5 == 0:  # two-word brands, "Alder Point"
            name += " " + stems[BRANDS + i % 200].capitalize()
        names.append(name)
    return names


class _Parts:
    """The reusable pieces of one product's title (a variant copies them from the product before it)."""

    __slots__ = ("brand", "category", "colour", "material", "model", "noun", "pack", "unit", "word_ids", "words")

    def title(self) -> str:
        head = [self.brand, self.model, self.unit, self.material, *self.words, self.noun]
        text = " ".join(p for p in head if p)
        if self.colour:
            text += ", " + self.colour
        if self.pack:
            text += f" ({self.pack}-Pack)"
        return text

    def query_pool(self) -> dict[str, list[str]]:
        """Lowercased title parts a query may use; "rare": the free words outside the top 50 ranks."""
        low = lambda s: s.lower().split() if s else []
        words = [w.lower() for w in self.words]
        return {"noun": low(self.noun), "brand": low(self.brand), "colour": low(self.colour),
                "unit": low(self.unit), "words": words,
                "rare": [w for w, r in zip(words, self.word_ids, strict=True) if r >= 50]}


class _Generator:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.words = vocabulary(seed)
        case = {"led": "LED", "usb": "USB", "with": "with", "for": "for", "and": "and", "in": "in", "of": "of"}
        self.capitalised = [case.get(w, w.capitalize()) for w in self.words]
        self.cdf = zipf_cdf(len(self.words))
        self.brands = _brands(seed)
        self.brand_cdf = zipf_cdf(len(self.brands), 1.0, offset=20)  # Zipf-Mandelbrot: top brand ~1%
        self.categories = list(CATEGORIES.items())

    def zipf(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.minimum(np.searchsorted(self.cdf, rng.random(n)), len(self.words) - 1)

    def block(self, rng: np.random.Generator, start: int, n: int, prev: _Parts | None,
              family: np.ndarray, wanted: dict[int, dict[str, list[str]] | None]):
        """Yield (parts, JSON line, title words) for products ``start .. start+n-1``; fills ``family``."""
        total = np.clip(np.rint(rng.lognormal(np.log(TITLE_MEDIAN_WORDS), TITLE_SIGMA, n)), 4, 32).astype(int)
        u = rng.random((n, 8))
        brand = np.searchsorted(self.brand_cdf, rng.random(n))
        category = rng.integers(len(self.categories), size=n)
        noun = rng.integers(6, size=n)
        colour = rng.integers(len(COLOURS), size=n)
        material = rng.integers(len(MATERIALS), size=n)
        pack = rng.choice([2, 3, 4, 6, 10, 12, 24, 50], size=n)
        model_digits = rng.integers(100, 10_000, size=n)
        model_letters = rng.integers(65, 91, size=(n, 3))
        draws = self.zipf(rng, int(total.sum()) + 40 * n)  # free title words, bullets, descriptions
        at = 0
        for i in range(n):
            p = _Parts()
            if prev is not None and u[i, 0] < VARIANT_P:  # a variant: same product, another colour or size
                for slot in _Parts.__slots__:
                    setattr(p, slot, getattr(prev, slot))
                if p.colour and u[i, 1] < 0.7:
                    p.colour = COLOURS[colour[i]]
                else:
                    p.unit = _unit_phrase(rng)
                family[start + i] = family[start + i - 1]
            else:
                p.brand = self.brands[brand[i]]
                letters = "".join(map(chr, model_letters[i, : 1 + int(u[i, 2] * 3)]))
                p.model = f"{letters}{model_digits[i]}{chr(model_letters[i, 2]) if u[i, 3] < 0.5 else ''}" \
                    if u[i, 1] < 0.2 else ""
                p.unit = _unit_phrase(rng) if u[i, 4] < 0.6 else ""
                p.material = MATERIALS[material[i]] if u[i, 5] < 0.3 else ""
                p.category, nouns = self.categories[category[i]]
                p.noun = nouns[noun[i] % len(nouns)]
                p.colour = COLOURS[colour[i]] if u[i, 6] < 0.5 else ""
                p.pack = int(pack[i]) if u[i, 7] < 0.15 else 0
                fixed = sum(len(s.split()) for s in (p.brand, p.model, p.unit, p.material, p.noun, p.colour))
                k = max(1, int(total[i]) - fixed - (1 if p.pack else 0))
                p.word_ids = list(dict.fromkeys(draws[at : at + k].tolist()))  # no word twice in a title
                p.words = [self.capitalised[w] for w in p.word_ids]
                at += k
                family[start + i] = start + i
            prev = p
            if start + i in wanted:
                wanted[start + i] = p.query_pool()
            yield p, *self._record(start + i, p, draws, at, u[i])
            at += 12  # bullets and description draw from the next words (fixed stride: cheap, seeded)

    def _record(self, index: int, p: _Parts, draws: np.ndarray, at: int, u: np.ndarray) -> tuple[bytes, int]:
        """The product's JSON line and its title's number of words."""
        words = self.words
        n_bullets = 0 if u[1] < 0.4 else 1 if u[1] < 0.75 else 2
        bullets = []
        for b in range(n_bullets):
            if b == 0 and p.material:
                bullets.append(f"{p.material} construction")
            else:
                width = 1 + (index + b) % 4
                bullets.append(" ".join(words[w] for w in draws[at + 4 * b : at + 4 * b + width]).capitalize())
        description = ""
        if u[3] > 0.7:
            length = 8 + index % 13
            tail = " ".join(words[w] for w in draws[at : at + length // 2])
            description = f"{p.noun} from {p.brand}. {tail.capitalize()}, {p.category.lower()}."
        title = p.title()
        record = {"_id": product_id(index), "title": title, "text": description,
                  "metadata": {"brand": p.brand, "bullets": bullets, "color": p.colour, "category": p.category}}
        return orjson.dumps(record), title.count(" ") + 1


def product_id(index: int) -> str:
    return f"P{index:07d}"


def _query(rng: np.random.Generator, pool: dict[str, list[str]], gen: _Generator) -> str:
    length = int(rng.choice(5, p=QUERY_LENGTH_P)) + 1
    picked: list[tuple[int, str]] = []  # (position in the title's order, word)
    order = {"brand": 0, "unit": 1, "words": 2, "noun": 3, "colour": 4}
    if pool["noun"] and rng.random() < 0.8:
        picked.append((300, pool["noun"][-1]))
        if len(pool["noun"]) > 1 and length >= 3 and rng.random() < 0.6:
            picked.append((299, pool["noun"][-2]))
    for part, p in (("brand", 0.2), ("colour", 0.15), ("unit", 0.15)):
        if pool[part] and len(picked) < length and rng.random() < p:
            picked += [(order[part] * 100 + j, w) for j, w in enumerate(pool[part])][: length - len(picked)]
    rare = set(pool["rare"]) if pool["rare"] and rng.random() < 0.7 else None  # distinctive words, mostly
    free = [(j, w) for j, w in enumerate(pool["words"]) if rare is None or w in rare]
    if len(picked) < length and free:
        take = rng.permutation(len(free))[: length - len(picked)]
        picked += [(200 + free[t][0], free[t][1]) for t in take]
    if not picked:
        picked = [(300, pool["noun"][-1] if pool["noun"] else pool["words"][0])]
    if rng.random() < 0.8:
        picked.sort()
    else:
        picked = [picked[i] for i in rng.permutation(len(picked))]
    words = [w for _, w in picked]
    if rng.random() < 0.3:  # a noise word in place of one (or added to a one-word query)
        noise = gen.words[int(gen.zipf(rng, 1)[0])]
        if len(words) > 1:
            words[int(rng.integers(len(words)))] = noise
        else:
            words.append(noise)
    if rng.random() < 0.1 and len(words) < 5:
        words.insert(0, GENERIC_QUERY_WORDS[int(rng.integers(len(GENERIC_QUERY_WORDS)))])
    return " ".join(words[:5])


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def generate(out_dir: Path | str, products: int, queries: int, seed: int = 13, *,
             progress: bool = False) -> CatalogInfo:
    """Write ``corpus.jsonl``, ``queries.jsonl``, ``qrels/test.tsv`` and ``synthetic.json`` (last) into
    ``out_dir``. A folder whose ``synthetic.json`` already records these parameters is reused as is."""
    out = Path(out_dir)
    params = {"products": products, "queries": queries, "seed": seed, "version": GENERATOR_VERSION}
    meta_path = out / "synthetic.json"
    if meta_path.is_file():
        stored = json.loads(meta_path.read_text())
        if {k: stored.get(k) for k in params} == params:
            return CatalogInfo(**stored)
        meta_path.unlink()
    if products < 1 or queries < 1:
        raise ValueError("need at least one product and one query")
    start_time = time.perf_counter()
    (out / "qrels").mkdir(parents=True, exist_ok=True)
    corpus_rng, target_rng, query_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3))
    gen = _Generator(seed)
    targets = target_rng.choice(products, size=queries, replace=queries > products)
    wanted: dict[int, dict[str, list[str]] | None] = dict.fromkeys(targets.tolist())
    family = np.empty(products, dtype=np.int64)
    lengths = np.empty(products, dtype=np.int32)
    tmp = out / "corpus.jsonl.tmp"
    prev = None
    with tmp.open("wb", buffering=1 << 20) as handle:
        for start in range(0, products, BLOCK):
            n = min(BLOCK, products - start)
            for i, (parts, line, words) in enumerate(gen.block(corpus_rng, start, n, prev, family, wanted)):
                lengths[start + i] = words
                prev = parts
                handle.write(line + b"\n")  # not kept: orjson's bytes carry a ~4 KiB allocation each
            if progress:
                print(f"  {start + n:,}/{products:,} products", flush=True)
    os.replace(tmp, out / "corpus.jsonl")
    query_lines, qrel_lines = [], ["query-id\tcorpus-id\tscore"]
    members = _families(family)
    for q, target in enumerate(targets.tolist()):
        qid = f"Q{q:06d}"
        query_lines.append(orjson.dumps({"_id": qid, "text": _query(query_rng, wanted[target], gen)}))
        qrel_lines.append(f"{qid}\t{product_id(target)}\t2")
        variants = [v for v in members.get(int(family[target]), ()) if v != target][:5]
        qrel_lines += [f"{qid}\t{product_id(v)}\t1" for v in variants]
    _write_atomic(out / "queries.jsonl", b"\n".join(query_lines) + b"\n")
    _write_atomic(out / "qrels" / "test.tsv", ("\n".join(qrel_lines) + "\n").encode())
    p5, p50, p95 = np.percentile(lengths, [5, 50, 95])
    info = CatalogInfo(products, queries, seed, GENERATOR_VERSION, len(qrel_lines) - 1, float(p5), float(p50),
                       float(p95), time.perf_counter() - start_time)
    _write_atomic(meta_path, json.dumps(asdict(info), indent=2).encode())
    return info


def _families(family: np.ndarray) -> dict[int, list[int]]:
    """family id -> its products, for families of more than one product (variants)."""
    ids, counts = np.unique(family, return_counts=True)
    multi = set(ids[counts > 1].tolist())
    out: dict[int, list[int]] = {}
    for index in np.flatnonzero(np.isin(family, list(multi))).tolist():
        out.setdefault(int(family[index]), []).append(index)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--products", type=int, default=500_000)
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)
    info = generate(args.out_dir, args.products, args.queries, args.seed, progress=True)
    print(f"{args.out_dir}: {info.products:,} products, {info.queries:,} queries, {info.qrels:,} judgements; "
          f"title words p5/p50/p95 {info.title_words_p5:.0f}/{info.title_words_p50:.0f}/{info.title_words_p95:.0f}; "
          f"{info.seconds:.1f} s  (bench run --dataset beir:{args.out_dir})")


if __name__ == "__main__":
    main()
