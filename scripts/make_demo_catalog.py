#!/usr/bin/env python3
"""Generate shopbench's bundled demo collection: a small, synthetic product-search benchmark.

Everything here is invented for shopbench (brands, models, products, queries and judgements);
nothing is copied from a real catalog or dataset. Product names of third-party phones (iPhone,
Galaxy) appear only to state what an accessory fits.

Output, in BEIR format, under ``benchmark/datasets/demo/``:

* ``corpus.jsonl``   one product per line: ``{"_id", "title", "text", "metadata"}``
* ``queries.jsonl``  one query per line: ``{"_id", "text"}``
* ``qrels/train.tsv`` and ``qrels/test.tsv``: ``query-id  corpus-id  score`` (gain 0..3)

The script is deterministic and uses only the standard library: product ids come from a SHA-256
ordering of each product's definition, judgements come from the explicit per-query rules in
``QUERIES`` (3 exact, 2 substitute, 1 complement/accessory, 0 irrelevant), and which non-exact
products get judged is decided by a SHA-256 ordering too. Running it again rewrites the files
byte for byte.

    python scripts/make_demo_catalog.py [--out DIR] [--check]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "benchmark" / "datasets" / "demo"
SEED = "shopbench-demo-v1"  # salt for the SHA-256 orderings (ids, sampling of judged products)


# --------------------------------------------------------------------------------------------
# Products
# --------------------------------------------------------------------------------------------


@dataclass
class Item:
    n: int  # definition order, only used to derive a stable id
    category: str
    brand: str
    title: str
    text: str
    bullets: list[str]
    color: str
    attrs: dict
    pid: str = ""

    def get(self, key: str, default=None):
        return self.attrs.get(key, default)

    @property
    def kind(self) -> str:
        return self.attrs["kind"]


ITEMS: list[Item] = []


def add(category: str, brand: str, title: str, text: str, bullets: list[str], color: str, **attrs) -> None:
    assert 2 <= len(bullets) <= 4, title
    assert "kind" in attrs, title
    ITEMS.append(Item(len(ITEMS), category, brand, title, text, bullets, color, attrs))


# ---- Power tools ---------------------------------------------------------------------------

def power_tools() -> None:
    c = "Power Tools"
    v, vc = "Voltaris", "Yellow/Black"
    k, kc = "Korvex", "Teal/Black"
    s, sc = "Stanwick", "Red/Gray"
    t, tc = "Trekmaster", "Orange/Black"

    for model, batteries, extra in (("VDD771C2", 2, "two 1.5Ah batteries, a charger and a contractor bag"),
                                    ("VDD771C1", 1, "one 1.5Ah battery, a charger and a contractor bag")):
        title = f"Voltaris 20V MAX Cordless 1/2 in. Compact Drill/Driver Kit with ({batteries}) 1.5Ah Batter{'ies' if batteries > 1 else 'y'}, {model}"
        add(c, v, title,
            "A lightweight 20V MAX compact drill/driver with a two-speed transmission (0-450 / 0-1,500 RPM) for "
            f"drilling and driving screws in wood, metal and plastic. The kit includes {extra}.",
            ["1/2 in. single-sleeve ratcheting chuck", "Up to 300 unit watts out (UWO)",
             "Weighs 3.6 lbs. with battery", f"Includes ({batteries}) 20V MAX 1.5Ah batter{'ies' if batteries > 1 else 'y'} and charger"],
            vc, kind="drill", power="cordless", volt="20V", chuck="1/2", kit=True, batteries=batteries, model=model)
    add(c, v, "Voltaris 20V MAX Cordless 1/2 in. Compact Drill/Driver (Tool Only), VDD771B",
        "The same compact 20V MAX drill/driver sold as a bare tool for owners who already have Voltaris 20V MAX batteries. "
        "Battery and charger sold separately.",
        ["1/2 in. ratcheting chuck", "2-speed transmission, 0-1,500 RPM", "Battery and charger not included"],
        vc, kind="drill", power="cordless", volt="20V", chuck="1/2", kit=False, batteries=0, model="VDD771B")
    add(c, v, "Voltaris 20V MAX XR Brushless Cordless 1/2 in. Hammer Drill Kit with (2) 5.0Ah Batteries, VHD996P2",
        "A brushless 20V MAX XR hammer drill with three speeds and a hammer mode for drilling into brick, block and "
        "concrete. Comes with two 5.0Ah batteries, a fast charger and a kit bag.",
        ["Brushless motor delivers 820 UWO", "3-speed transmission up to 2,000 RPM", "Hammer mode up to 34,000 BPM",
         "LED light with 20-second delay"],
        vc, kind="hammer drill", power="cordless", volt="20V", chuck="1/2", kit=True, batteries=2, model="VHD996P2")
    add(c, v, "Voltaris 20V MAX Cordless 1/4 in. Impact Driver Kit with (2) 1.5Ah Batteries, VID885C2",
        "A compact 20V MAX impact driver with 1,400 in.-lbs. of torque for driving long screws and lag bolts. "
        "The 1/4 in. hex chuck accepts one-handed bit loading.",
        ["1,400 in.-lbs. max torque", "1/4 in. quick-release hex chuck", "Includes (2) 1.5Ah batteries and charger"],
        vc, kind="impact driver", power="cordless", volt="20V", kit=True, batteries=2, model="VID885C2")
    add(c, v, "Voltaris 20V MAX Cordless 1/4 in. Impact Driver (Tool Only), VID885B",
        "Bare-tool version of the Voltaris 20V MAX impact driver. Works with every Voltaris 20V MAX battery.",
        ["1,400 in.-lbs. max torque", "3 LED ring light", "Battery and charger sold separately"],
        vc, kind="impact driver", power="cordless", volt="20V", kit=False, batteries=0, model="VID885B")
    add(c, v, "Voltaris 20V MAX Cordless Drill/Driver and Impact Driver 2-Tool Combo Kit, VCK240C2",
        "Two essential cordless tools in one box: a 1/2 in. compact drill/driver and a 1/4 in. impact driver, "
        "with two 1.5Ah batteries, a charger and a soft bag.",
        ["Includes VDD771 drill/driver and VID885 impact driver", "(2) 20V MAX 1.5Ah batteries and charger",
         "Contractor bag"],
        vc, kind="combo kit", power="cordless", volt="20V", kit=True, batteries=2, contains=("drill", "impact driver"),
        model="VCK240C2")
    add(c, v, "Voltaris 20V MAX Cordless 7-1/4 in. Circular Saw (Tool Only), VCS570B",
        "A cordless 7-1/4 in. circular saw with a brushless motor for framing cuts and ripping plywood. "
        "Bevels to 57 degrees with a positive stop at 45.",
        ["5,200 RPM brushless motor", "2-9/16 in. cutting depth at 90 degrees", "Blade and battery sold separately"],
        vc, kind="circular saw", power="cordless", volt="20V", blade="7-1/4", kit=False, model="VCS570B")
    for model, note in (("VB203", "Retail pack."), ("VB203-R", "Sold by a third-party seller; original packaging.")):
        add(c, v, "Voltaris 20V MAX 2.0Ah Lithium-Ion Battery",
            "A compact 20V MAX 2.0Ah lithium-ion battery with a 3-LED fuel gauge. Fits all Voltaris 20V MAX tools "
            f"and chargers. {note}",
            ["2.0Ah capacity", "3-LED state-of-charge gauge", "No memory effect"],
            vc, kind="battery", volt="20V", ah=2.0, model=model)
    add(c, v, "Voltaris 20V MAX 5.0Ah Lithium-Ion Battery, VB205",
        "A high-capacity 20V MAX battery for saws, grinders and other demanding tools; runs up to 2.5 times longer "
        "than a 2.0Ah pack.",
        ["5.0Ah capacity", "Fuel gauge", "Compatible with all Voltaris 20V MAX tools"],
        vc, kind="battery", volt="20V", ah=5.0, model="VB205")
    add(c, v, "Voltaris 20V MAX 2.0Ah Lithium-Ion Battery (2-Pack), VB203-2",
        "Two 20V MAX 2.0Ah batteries so one can charge while the other works.",
        ["(2) 2.0Ah batteries", "Fuel gauge on each pack"],
        vc, kind="battery", volt="20V", ah=2.0, model="VB203-2")
    add(c, v, "Voltaris 12V MAX / 20V MAX Lithium-Ion Fast Charger, VCB115",
        "A fast charger for Voltaris 12V MAX and 20V MAX lithium-ion batteries; charges a 2.0Ah pack in about 60 minutes.",
        ["Charges 12V MAX and 20V MAX batteries", "Wall-mountable", "Charge-status LED"],
        vc, kind="charger", volt="20V", model="VCB115")
    add(c, v, "Voltaris 21-Piece Titanium Nitride Drill Bit Set, VA21T",
        "Titanium-nitride coated twist bits from 1/16 in. to 1/2 in. for drilling wood, plastic and mild steel, "
        "in a hard case with size markings.",
        ["21 bits, 1/16 in. to 1/2 in.", "Pilot-point tip starts on contact", "Hard storage case"],
        "Gold", kind="drill bits", model="VA21T")
    add(c, v, "Voltaris Impact Ready 1/4 in. Hex Screwdriving Bit Set (40-Piece), VA40I",
        "Impact-rated Phillips, square, Torx and slotted bits with magnetic bit holders, made for impact drivers.",
        ["40 pieces, impact rated", "Magnetic bit holder included", "Clear-lid case"],
        "Black", kind="driver bits", model="VA40I")
    add(c, v, "Voltaris 16 in. Contractor Tool Bag, VTB16",
        "A heavy-duty 16 in. tool bag with 11 pockets and a padded shoulder strap.",
        ["16 in. wide-mouth opening", "11 interior and exterior pockets"],
        vc, kind="tool bag", model="VTB16")

    add(c, k, "Korvex 18V Brushless Cordless 1/2 in. Drill/Driver Kit with 2.0Ah Battery, KX18DD2K",
        "An 18V brushless drill/driver with 24 clutch settings and two speeds for everyday drilling and fastening. "
        "Kit includes one 2.0Ah battery, a rapid charger and a tool bag.",
        ["Brushless motor, 530 in.-lbs. torque", "1/2 in. metal ratcheting chuck", "24 + 1 clutch settings",
         "Includes 2.0Ah battery and charger"],
        kc, kind="drill", power="cordless", volt="18V", chuck="1/2", kit=True, batteries=1, model="KX18DD2K")
    add(c, k, "Korvex 18V Brushless Cordless 1/2 in. Drill/Driver (Tool Only), KX18DD0",
        "The Korvex 18V brushless drill/driver without battery or charger, for users already on the Korvex 18V platform.",
        ["530 in.-lbs. torque", "1/2 in. chuck", "Tool only"],
        kc, kind="drill", power="cordless", volt="18V", chuck="1/2", kit=False, batteries=0, model="KX18DD0")
    add(c, k, "Korvex 18V Cordless 1/2 in. Hammer Drill Kit with (2) 2.0Ah Batteries, KX18HD2K",
        "An 18V hammer drill for drilling masonry anchors and pilot holes in concrete, with a side handle and depth rod.",
        ["Hammer mode for masonry", "1/2 in. ratcheting chuck", "Includes (2) 2.0Ah batteries and charger"],
        kc, kind="hammer drill", power="cordless", volt="18V", chuck="1/2", kit=True, batteries=2, model="KX18HD2K")
    add(c, k, "Korvex 18V Brushless Cordless 1/4 in. Impact Driver Kit, KX18ID2K",
        "A brushless 18V impact driver with three speed modes and 1,700 in.-lbs. of torque, sold with a 2.0Ah battery "
        "and charger.",
        ["1,700 in.-lbs. torque", "3 speed settings", "Includes 2.0Ah battery and charger"],
        kc, kind="impact driver", power="cordless", volt="18V", kit=True, batteries=1, model="KX18ID2K")
    add(c, k, "Korvex 18V 4-Tool Cordless Combo Kit: Drill, Impact Driver, Circular Saw and Work Light, KX18CK4",
        "A starter set for the Korvex 18V system with a drill/driver, impact driver, 6-1/2 in. circular saw and LED "
        "work light, plus two batteries and a charger.",
        ["4 tools, (2) 2.0Ah batteries, charger", "Large contractor bag", "3-year limited warranty"],
        kc, kind="combo kit", power="cordless", volt="18V", kit=True, batteries=2,
        contains=("drill", "impact driver", "circular saw"), model="KX18CK4")
    add(c, k, "Korvex 18V Cordless 6-1/2 in. Circular Saw (Tool Only), KX18CS0",
        "A compact 18V circular saw with a 6-1/2 in. blade that cuts 2x lumber in a single pass.",
        ["6-1/2 in. 24T carbide blade included", "0-50 degree bevel", "Battery sold separately"],
        kc, kind="circular saw", power="cordless", volt="18V", blade="6-1/2", kit=False, model="KX18CS0")
    for ah, model in ((4.0, "KXB40"), (2.0, "KXB20")):
        add(c, k, f"Korvex 18V {ah:.1f}Ah Lithium-Ion Battery, {model}",
            f"A {ah:.1f}Ah lithium-ion battery for every tool in the Korvex 18V line, with an on-board charge indicator.",
            [f"{ah:.1f}Ah capacity", "Fits all Korvex 18V tools", "Charge indicator"],
            kc, kind="battery", volt="18V", ah=ah, model=model)
    add(c, k, "Korvex 18V Lithium-Ion Rapid Charger, KXC18",
        "Charges Korvex 18V batteries; a 2.0Ah pack is full in about 40 minutes.",
        ["Fits all Korvex 18V batteries", "Cooling fan", "Status LED"],
        kc, kind="charger", volt="18V", model="KXC18")
    add(c, k, "Korvex 18V Cordless Jigsaw (Tool Only), KX18JS0",
        "An 18V jigsaw with orbital action and tool-free blade change for curves in wood and laminate.",
        ["4-position orbital action", "Tool-free T-shank blade change", "Battery sold separately"],
        kc, kind="jigsaw", power="cordless", volt="18V", kit=False, model="KX18JS0")
    add(c, k, "Korvex 100-Piece Drill and Drive Bit Set, KXA100",
        "A mixed set of twist, spade and masonry drill bits plus screwdriving bits and nut drivers in a carry case.",
        ["100 pieces", "Twist, spade and masonry bits", "Includes magnetic bit holder"],
        "Teal", kind="drill bits", model="KXA100")
    add(c, k, "Korvex 7-1/4 in. 24-Tooth Carbide Framing Circular Saw Blade, KXB724",
        "A thin-kerf 24-tooth carbide blade for fast framing and rough cuts with any 7-1/4 in. circular saw.",
        ["7-1/4 in. diameter, 5/8 in. arbor", "24 carbide-tipped teeth", "Non-stick coating"],
        "Silver", kind="saw blade", blade="7-1/4", model="KXB724")

    for volt, chuck, model in (("12V", "3/8", "SW12DD-K"), ("18V", "1/2", "SW18DD-K")):
        add(c, s, f"Stanwick {volt} Cordless {chuck} in. Drill/Driver Kit, {model}",
            f"An entry-level {volt} drill/driver with a {chuck} in. keyless chuck and 15 clutch settings for "
            "assembling furniture and hanging shelves. Battery and charger included.",
            [f"{chuck} in. keyless chuck", "15 + 1 clutch positions", "Includes 2.0Ah battery and charger"],
            sc, kind="drill", power="cordless", volt=volt, chuck=chuck, kit=True, batteries=1, model=model)
    for amp, chuck, model in (("7.5", "1/2", "SWC75"), ("6", "3/8", "SWC60")):
        add(c, s, f"Stanwick {amp} Amp Corded {chuck} in. Drill, {model}",
            f"A {amp} Amp corded drill with a {chuck} in. keyed chuck and variable speed trigger; no batteries to charge.",
            [f"{amp} Amp motor", f"{chuck} in. keyed chuck", "Variable speed, reversible"],
            sc, kind="drill", power="corded", chuck=chuck, model=model)
    add(c, s, "Stanwick 7 Amp Corded 1/2 in. Hammer Drill, SWHD70",
        "A corded 1/2 in. hammer drill for anchors in concrete and brick, with a 360-degree side handle.",
        ["7 Amp motor, up to 48,000 BPM", "Drill and hammer-drill modes", "Depth gauge included"],
        sc, kind="hammer drill", power="corded", chuck="1/2", model="SWHD70")
    add(c, s, "Stanwick 15 Amp Corded 7-1/4 in. Circular Saw, SWCS15",
        "A 15 Amp corded circular saw with a 7-1/4 in. carbide blade, electric brake and dust blower.",
        ["15 Amp, 5,300 RPM", "7-1/4 in. 24T blade included", "Bevels 0-56 degrees"],
        sc, kind="circular saw", power="corded", blade="7-1/4", model="SWCS15")
    for volt, model in (("12V", "SWB12"), ("18V", "SWB18")):
        add(c, s, f"Stanwick {volt} 2.0Ah Lithium-Ion Battery, {model}",
            f"A replacement 2.0Ah battery for Stanwick {volt} cordless tools.",
            ["2.0Ah capacity", f"Fits Stanwick {volt} tools"],
            sc, kind="battery", volt=volt, ah=2.0, model=model)
    add(c, s, "Stanwick 29-Piece Cobalt Drill Bit Set, SWA29C",
        "Cobalt steel drill bits for stainless steel and hard metals, 1/16 in. to 1/2 in. by 64ths, in a metal index case.",
        ["29 bits, 1/16 in. to 1/2 in.", "135-degree split point", "Metal index case"],
        "Gold", kind="drill bits", model="SWA29C")
    add(c, s, "Stanwick 5-Piece Carbide Masonry Drill Bit Set, SWA5M",
        "Carbide-tipped masonry bits, 3/16 in. to 1/2 in., for hammer drilling brick, block and concrete.",
        ["5 bits, 3/16 in. to 1/2 in.", "Carbide tips", "For hammer drills"],
        "Silver", kind="drill bits", masonry=True, model="SWA5M")

    add(c, t, "Trekmaster 20V Cordless Drill/Driver Kit with 1.5Ah Battery and 30-Piece Accessory Set, TM20DK30",
        "A budget-friendly 20V cordless drill/driver with a 3/8 in. keyless chuck, sold with a battery, charger and "
        "a 30-piece bit set for household projects.",
        ["3/8 in. keyless chuck", "18 + 1 torque settings", "Includes 1.5Ah battery, charger and 30 accessories"],
        tc, kind="drill", power="cordless", volt="20V", chuck="3/8", kit=True, batteries=1, model="TM20DK30")
    add(c, t, "Trekmaster 20V Cordless Oscillating Multi-Tool (Tool Only), TM20OT",
        "A cordless oscillating tool for flush cuts, sanding and grout removal, with a tool-free blade clamp.",
        ["6 variable speeds", "Tool-free accessory change", "Battery sold separately"],
        tc, kind="oscillating tool", power="cordless", volt="20V", kit=False, model="TM20OT")
    add(c, t, "Trekmaster 3 Amp Corded Oscillating Multi-Tool, TMC30OT",
        "A 3 Amp corded oscillating multi-tool with 12 accessories for cutting, scraping and sanding.",
        ["3 Amp motor", "12 accessories included"],
        tc, kind="oscillating tool", power="corded", model="TMC30OT")
    add(c, t, "Trekmaster 20V 2.0Ah Lithium-Ion Battery, TMB20",
        "A 2.0Ah replacement battery for Trekmaster 20V cordless tools.",
        ["2.0Ah capacity", "Fits Trekmaster 20V tools"],
        tc, kind="battery", volt="20V", ah=2.0, model="TMB20")


# ---- Kitchen appliances --------------------------------------------------------------------

def kitchen() -> None:
    c = "Kitchen Appliances"
    cu, he, bx = "Culinova", "Hearthline", "Brixo"

    for color, model in (("Empire Red", "CSM500ER"), ("White", "CSM500WH"), ("Silver", "CSM500SV")):
        add(c, cu, f"Culinova 5 Qt. 10-Speed Tilt-Head Stand Mixer in {color}",
            "A 325 W tilt-head stand mixer with a 5 qt. stainless steel bowl for doughs, batters and meringues. "
            "Comes with a flat beater, dough hook and wire whip.",
            ["5 qt. stainless steel bowl", "10 speeds", "Tilt-head design", "Flat beater, dough hook, wire whip included"],
            color, kind="stand mixer", qt=5, red=color == "Empire Red", model=model)
    add(c, cu, "Culinova 6 Qt. Bowl-Lift Stand Mixer in Matte Black",
        "A 575 W bowl-lift stand mixer sized for double batches of bread dough, with a 6 qt. bowl and locking lift arm.",
        ["6 qt. bowl-lift design", "575 W motor", "Includes pouring shield"],
        "Matte Black", kind="stand mixer", qt=6, model="CSM600MB")
    for color, model in (("White", "HSM35W"), ("Red", "HSM35R")):
        add(c, he, f"Hearthline 3.5 Qt. Compact Stand Mixer, {color}",
            "A small-kitchen stand mixer with a 3.5 qt. bowl and 6 speeds, light enough to store in a cabinet.",
            ["3.5 qt. stainless bowl", "6 speeds plus pulse", "Weighs 9 lbs."],
            color, kind="stand mixer", qt=3.5, red=color == "Red", model=model)
    add(c, he, "Hearthline 5-Speed Electric Hand Mixer with Storage Case",
        "A 250 W hand mixer with five speeds, turbo boost and a snap-on case that holds the beaters and whisk.",
        ["5 speeds + turbo", "Beaters, dough hooks and whisk", "Snap-on storage case"],
        "White", kind="hand mixer", model="HHM5")
    add(c, cu, "Culinova Pouring Shield for 5 Qt. Tilt-Head Stand Mixers",
        "A clear one-piece pouring shield that keeps flour in the bowl; fits Culinova 5 qt. tilt-head mixers.",
        ["Fits 5 qt. tilt-head bowls", "Dishwasher safe"],
        "Clear", kind="mixer accessory", model="CSA-PS5")
    add(c, cu, "Culinova 5 Qt. Stainless Steel Mixing Bowl with Handle",
        "A spare 5 qt. polished stainless bowl for Culinova tilt-head stand mixers.",
        ["5 qt. capacity", "Comfort handle", "Dishwasher safe"],
        "Stainless Steel", kind="mixer accessory", model="CSA-B5")

    add(c, bx, "Brixo 1200 W Professional Countertop Blender with 72 oz. Pitcher",
        "A 1200 W blender with crushing blades for ice, frozen fruit and smoothies; the 72 oz. pitcher serves a family.",
        ["1200 W motor", "72 oz. BPA-free pitcher", "3 speeds + pulse"],
        "Black", kind="blender", model="BXB1200")
    add(c, bx, "Brixo 700 W Personal Blender with 2 To-Go Cups",
        "Blend a smoothie or protein shake right in a 20 oz. travel cup, then twist on the lid and take it with you.",
        ["700 W motor", "(2) 20 oz. to-go cups with lids", "Dishwasher-safe cups"],
        "Gray", kind="personal blender", model="BXP700")
    add(c, he, "Hearthline 10-Speed Countertop Blender, 48 oz., Stainless Steel",
        "A 10-speed 600 W blender with a 48 oz. glass jar for soups, sauces and shakes.",
        ["600 W motor", "48 oz. glass jar", "10 speeds"],
        "Stainless Steel", kind="blender", model="HBL10")
    add(c, bx, "Brixo 72 oz. Replacement Blender Pitcher with Lid",
        "A replacement 72 oz. pitcher with blade assembly and lid for Brixo 1200 W blenders.",
        ["Fits Brixo BXB1200", "Blade assembly included"],
        "Clear", kind="blender accessory", model="BXA72")
    add(c, bx, "Brixo 10-Cup Food Processor with Slicing Disc",
        "A 10-cup food processor that chops, purees, slices and shreds, with a wide feed chute.",
        ["10-cup work bowl", "Reversible slicing/shredding disc", "2 speeds + pulse"],
        "Black", kind="food processor", model="BXFP10")
    add(c, bx, "Brixo 3-Cup Mini Food Chopper",
        "A one-touch 3-cup chopper for onions, herbs and nuts.",
        ["3-cup bowl", "One-touch pulse", "Dishwasher-safe parts"],
        "White", kind="food chopper", model="BXFC3")

    for color, model in (("Stainless Steel", "BXT2-SS"), ("Black", "BXT2-BK")):
        add(c, bx, "Brixo 2-Slice Wide Slot Toaster",
            "A 2-slice toaster with extra-wide slots for bagels and thick bread, 7 shade settings and a removable "
            "crumb tray.",
            ["Two 1.5 in. wide slots", "Bagel, defrost and cancel", "7 shade settings"],
            color, kind="toaster", slices=2, model=model)
    add(c, he, "Hearthline Retro 2-Slice Toaster in Red",
        "A retro-styled 2-slice toaster with a chrome lever and six browning levels.",
        ["2 slots", "6 browning levels", "Removable crumb tray"],
        "Red", kind="toaster", slices=2, red=True, model="HT2R")
    add(c, he, "Hearthline 4-Slice Stainless Steel Toaster",
        "A 4-slice toaster with independent controls for each pair of slots.",
        ["4 wide slots", "Dual independent controls", "Bagel and defrost settings"],
        "Stainless Steel", kind="toaster", slices=4, model="HT4")
    add(c, cu, "Culinova 4-Slice Convection Toaster Oven",
        "A countertop convection toaster oven that toasts four slices, bakes a 9 in. pizza and broils.",
        ["Convection fan", "Toast, bake, broil, warm", "Fits a 9 in. pizza"],
        "Stainless Steel", kind="toaster oven", slices=4, model="CTO4C")

    for color, model in (("Black", "HCM12B"), ("Stainless Steel", "HCM12S")):
        add(c, he, "Hearthline 12-Cup Programmable Coffee Maker",
            "A 12-cup drip coffee maker with a 24-hour programmable timer, brew-strength control and a glass carafe.",
            ["12-cup glass carafe", "24-hour programmable start", "Pause-and-serve"],
            color, kind="coffee maker", cups=12, model=model)
    add(c, cu, "Culinova 14-Cup Thermal Carafe Coffee Maker",
        "A 14-cup drip coffee maker with a double-wall thermal carafe that keeps coffee hot without a warming plate.",
        ["14-cup thermal carafe", "Programmable", "Bold brew setting"],
        "Stainless Steel", kind="coffee maker", cups=14, model="CCM14T")
    add(c, cu, "Culinova Single-Serve Pod Coffee Maker",
        "Brews a cup from a coffee pod in under a minute; 6, 8 or 10 oz. cup sizes.",
        ["3 cup sizes", "40 oz. removable reservoir"],
        "Matte Black", kind="pod coffee maker", model="CPC1")
    add(c, bx, "Brixo 15-Bar Espresso Machine with Milk Frother",
        "A 15-bar pump espresso machine with a steam wand for lattes and cappuccinos.",
        ["15-bar pump", "Steam wand", "Single and double shot filters"],
        "Stainless Steel", kind="espresso machine", model="BXE15")
    add(c, he, "Hearthline #4 Cone Coffee Filters, 200-Count",
        "Natural brown paper cone filters in size #4, for 8- to 12-cup drip coffee makers.",
        ["200 filters", "#4 cone size"],
        "Brown", kind="coffee accessory", model="HCF4")
    add(c, cu, "Culinova Coffee Maker Descaling Solution (2-Pack)",
        "Removes scale from drip and pod coffee makers and espresso machines; each bottle treats one descaling cycle.",
        ["2 bottles", "For drip, pod and espresso machines"],
        "", kind="coffee accessory", model="CDS2")

    for color, model in (("Black", "BXAF58B"), ("White", "BXAF58W")):
        add(c, bx, "Brixo 5.8 Qt. Digital Air Fryer",
            "A 5.8 qt. basket air fryer with eight presets and a shake reminder; cooks with up to 85% less oil.",
            ["5.8 qt. nonstick basket", "8 one-touch presets", "Shake reminder"],
            color, kind="air fryer", qt=5.8, model=model)
    add(c, he, "Hearthline 3.7 Qt. Compact Air Fryer",
        "A compact 3.7 qt. air fryer for one or two people, with a dial timer up to 30 minutes.",
        ["3.7 qt. basket", "Dial controls"],
        "Black", kind="air fryer", qt=3.7, model="HAF37")
    add(c, cu, "Culinova 10 Qt. Air Fryer Oven with Rotisserie",
        "An air fryer oven with three racks, a rotisserie spit and dehydrate mode.",
        ["10 qt. capacity", "Rotisserie and dehydrate", "3 cooking racks"],
        "Stainless Steel", kind="air fryer oven", qt=10, model="CAFO10")
    add(c, bx, "Brixo Perforated Air Fryer Parchment Liners, 100-Count",
        "Round perforated parchment liners that keep the basket clean; fit 5 to 6 qt. air fryers.",
        ["100 liners", "Fits 5-6 qt. baskets"],
        "White", kind="air fryer accessory", model="BXL100")

    add(c, he, "Hearthline 1.7 L Stainless Steel Electric Kettle",
        "A 1500 W cordless electric kettle that boils 1.7 L of water in minutes, with automatic shut-off.",
        ["1.7 L capacity", "Auto shut-off and boil-dry protection"],
        "Stainless Steel", kind="kettle", liters=1.7, model="HEK17")
    add(c, cu, "Culinova 0.9 L Gooseneck Electric Kettle with Temperature Control",
        "A pour-over gooseneck kettle with variable temperature from 140 to 212 degrees F and a 60-minute keep-warm.",
        ["0.9 L capacity", "Variable temperature", "Precision gooseneck spout"],
        "Matte Black", kind="kettle", gooseneck=True, liters=0.9, model="CGK09")
    add(c, bx, "Brixo 1.0 L Cordless Electric Kettle",
        "A compact 1.0 L plastic electric kettle with a 360-degree swivel base.",
        ["1.0 L capacity", "360-degree base"],
        "White", kind="kettle", liters=1.0, model="BXK10")

    for color, model in (("Stainless Steel", "HMW11S"), ("Black", "HMW11B")):
        add(c, he, f"Hearthline 1.1 cu. ft. 1000 W Countertop Microwave in {color}",
            "A 1.1 cu. ft. countertop microwave with 10 power levels, one-touch popcorn and a 12.4 in. turntable.",
            ["1.1 cu. ft. capacity", "1000 W", "10 power levels"],
            color, kind="microwave", cuft=1.1, model=model)
    add(c, cu, "Culinova 1.6 cu. ft. 1200 W Countertop Microwave with Sensor Cooking",
        "A family-size countertop microwave with sensor reheat and a 13.6 in. turntable.",
        ["1.6 cu. ft.", "1200 W", "Sensor cooking"],
        "Stainless Steel", kind="microwave", cuft=1.6, model="CMW16")

    add(c, he, "Hearthline 6 Qt. Programmable Slow Cooker",
        "A 6 qt. oval slow cooker with a programmable timer that switches to warm when cooking ends.",
        ["6 qt. removable crock", "Programmable up to 20 hours"],
        "Stainless Steel", kind="slow cooker", qt=6, model="HSC6")
    add(c, cu, "Culinova 8 Qt. 7-in-1 Electric Pressure Cooker",
        "Pressure cook, slow cook, saute, steam, make rice and yogurt, and keep warm in one 8 qt. pot.",
        ["8 qt. stainless inner pot", "7 functions incl. slow cook"],
        "Stainless Steel", kind="pressure cooker", qt=8, model="CPC8")


# ---- Bathroom faucets ----------------------------------------------------------------------

FIN = {"CP": "Chrome", "BN": "Brushed Nickel", "MB": "Matte Black", "ORB": "Oil-Rubbed Bronze", "BG": "Brushed Gold"}


def faucets() -> None:
    c = "Bathroom Faucets"
    aq, rv, fw = "Aquelle", "Rivanti", "Fenwright"

    for code in ("CP", "BN", "MB", "ORB"):
        add(c, aq, f"Aquelle Harlow Single-Handle Single-Hole Bathroom Faucet in {FIN[code]}",
            f"A slim single-handle bathroom sink faucet in a {FIN[code].lower()} finish, with ceramic-disc cartridge "
            "and optional 6 in. deck plate for three-hole sinks. Flow rate 1.2 GPM.",
            [f"{FIN[code]} finish", "Single-hole or 4 in. centerset with deck plate", "1.2 GPM WaterSense flow",
             f"Model AQ-4410-{code}"],
            FIN[code], kind="bath faucet", mount="single-hole", finish=code, family="AQ-4410", model=f"AQ-4410-{code}")
    for code in ("CP", "BN", "MB", "BG"):
        add(c, aq, f"Aquelle Harlow 8 in. Widespread 2-Handle Bathroom Faucet in {FIN[code]}",
            f"A widespread faucet for 8 in. to 16 in. three-hole sinks, with lever handles and a pop-up drain, "
            f"finished in {FIN[code].lower()}.",
            ["Fits 8-16 in. widespread sinks", "Metal pop-up drain included", f"Model AQ-4480-{code}"],
            FIN[code], kind="bath faucet", mount="widespread", finish=code, family="AQ-4480", model=f"AQ-4480-{code}")
    for code in ("CP", "BN", "ORB", "MB"):
        add(c, rv, f"Rivanti Calder 4 in. Centerset 2-Handle Bathroom Faucet in {FIN[code]}",
            f"A classic 4 in. centerset faucet with two cross handles and a {FIN[code].lower()} finish, for "
            "standard three-hole bathroom sinks.",
            ["Fits 4 in. centerset sinks", "Drip-free ceramic valves", f"Model RV-2204-{code}"],
            FIN[code], kind="bath faucet", mount="centerset", finish=code, family="RV-2204", model=f"RV-2204-{code}")
    for code in ("CP", "MB", "BG"):
        add(c, rv, f"Rivanti Calder Single-Handle Vessel Sink Faucet in {FIN[code]}",
            f"A tall 12 in. vessel-sink faucet with a single lever, made for above-counter bowls; {FIN[code].lower()} finish.",
            ["12 in. tall spout for vessel sinks", "Single lever control", f"Model RV-2260-{code}"],
            FIN[code], kind="bath faucet", mount="vessel", finish=code, family="RV-2260", model=f"RV-2260-{code}")
    for code in ("CP", "BN"):
        add(c, rv, f"Rivanti Marlow Single-Handle Bathroom Faucet with Drain in {FIN[code]}",
            f"A modern single-lever faucet with a matching push-and-seal drain, in {FIN[code].lower()}.",
            ["Single-hole installation", "Push-and-seal drain included", f"Model RV-3110-{code}"],
            FIN[code], kind="bath faucet", mount="single-hole", finish=code, family="RV-3110", model=f"RV-3110-{code}")
    for code in ("CP", "BN"):
        add(c, fw, f"Fenwright Essa Touchless Single-Hole Bathroom Faucet in {FIN[code]}",
            "A battery-powered sensor faucet that turns on when hands are under the spout and off after 60 seconds; "
            "temperature is set with a side mixing lever.",
            ["Motion-sensor activation", "Runs on 4 AA batteries", f"{FIN[code]} finish"],
            FIN[code], kind="bath faucet", mount="single-hole", touchless=True, finish=code, family="FW-E100",
            model=f"FW-E100-{code}")
    add(c, fw, "Fenwright Essa Wall-Mount 2-Handle Bathroom Faucet in Matte Black",
        "A wall-mounted faucet with an 8 in. spout for vessel and undermount sinks; rough-in valve included.",
        ["Wall-mount installation", "Rough-in valve included", "Matte black finish"],
        "Matte Black", kind="bath faucet", mount="wall-mount", finish="MB", family="FW-E320", model="FW-E320-MB")
    for model, text in (("FW-B204", "A basic, low-cost centerset faucet for 4 in. sinks with two acrylic handles."),
                        ("FW-B204D", ("A basic centerset faucet for 4 in. sinks with two acrylic handles; "
                                      "this version includes a plastic pop-up drain."))):
        add(c, fw, "Fenwright 4 in. Centerset 2-Handle Bathroom Faucet in Chrome", text,
            ["Fits 4 in. centerset sinks", "Washerless cartridge", "Chrome finish"],
            "Chrome", kind="bath faucet", mount="centerset", finish="CP", family="FW-B204", model=model)

    for code in ("CP", "BN", "MB", "ORB"):
        add(c, aq, f"Aquelle Pop-Up Drain Assembly with Overflow in {FIN[code]}",
            f"A metal push-button pop-up drain for bathroom sinks with an overflow, in {FIN[code].lower()}.",
            ["Fits sinks with overflow", "1-1/4 in. tailpiece", f"{FIN[code]} finish"],
            FIN[code], kind="drain", finish=code, model=f"AQ-D100-{code}")
    for length in ("16", "20"):
        add(c, fw, f"Fenwright 3/8 in. Compression x 1/2 in. FIP x {length} in. Braided Stainless Steel Faucet Supply Line",
            f"A {length} in. braided stainless steel supply line that connects a faucet to the shut-off valve.",
            ["3/8 in. compression x 1/2 in. FIP", f"{length} in. length", "Braided stainless steel"],
            "Stainless Steel", kind="supply line", length=length, model=f"FW-SL{length}")
    add(c, fw, "Fenwright 1.2 GPM Bathroom Faucet Aerator",
        "A water-saving 1.2 GPM aerator with dual threads that fits most bathroom faucets.",
        ["1.2 GPM", "Dual-thread (male/female)"],
        "Chrome", kind="aerator", model="FW-A12")
    add(c, aq, "Aquelle 6 in. Faucet Deck Plate in Brushed Nickel",
        "Covers the outer holes of a 4 in. centerset sink when installing a single-hole faucet.",
        ["Covers 3-hole sinks", "Brushed nickel finish"],
        "Brushed Nickel", kind="deck plate", finish="BN", model="AQ-DP6-BN")


# ---- Outdoor furniture ---------------------------------------------------------------------

def outdoor() -> None:
    c = "Outdoor Furniture"
    sh, ap, cw = "Sunhaven", "Alderpoint", "Coastwood"

    for color in ("White", "Black", "Navy", "Gray", "Sand"):
        add(c, cw, "Coastwood Classic Poly Adirondack Chair",
            "A weather-resistant Adirondack chair made from recycled HDPE lumber that never needs painting or sealing. "
            "Contoured seat and wide arms hold a drink.",
            ["Recycled poly lumber (resin)", "Fade- and moisture-resistant", "Holds up to 300 lbs.",
             f"Color: {color}"],
            color, kind="adirondack chair", material="poly", model=f"CW-AD1-{color[:3].upper()}")
    for color in ("White", "Black"):
        add(c, cw, f"Coastwood Folding Poly Adirondack Chair, {color}",
            "A folding version of the Coastwood Adirondack chair in all-weather poly lumber; folds flat for winter storage.",
            ["Folds flat", "Recycled poly (resin) lumber", "No assembly"],
            color, kind="adirondack chair", material="poly", folding=True, model=f"CW-AD2F-{color[:3].upper()}")
    add(c, ap, "Alderpoint Natural Cedar Wood Adirondack Chair",
        "A solid western red cedar Adirondack chair, unfinished so it weathers to a silver gray.",
        ["Solid cedar wood", "Stainless steel hardware", "Assembly required"],
        "Natural", kind="adirondack chair", material="wood", model="AP-ADC")
    add(c, ap, "Alderpoint Folding Acacia Wood Adirondack Chair, Teak Finish",
        "A folding Adirondack chair made of oiled acacia hardwood with a teak finish.",
        ["Acacia hardwood", "Folds for storage"],
        "Teak", kind="adirondack chair", material="wood", folding=True, model="AP-ADA")

    add(c, sh, "Sunhaven 5-Piece Aluminum Outdoor Dining Set with 48 in. Round Table",
        "A rust-proof cast-aluminum dining set with a 48 in. round table and four swivel chairs; umbrella hole in table.",
        ["Table and 4 swivel chairs", "48 in. round table with 2 in. umbrella hole", "Bronze finish"],
        "Bronze", kind="dining set", pieces=5, cushions=False, model="SH-D5A")
    add(c, sh, "Sunhaven 7-Piece Wicker Patio Dining Set with Beige Cushions",
        "A rectangular 7-piece set: 72 in. glass-top table and six all-weather wicker armchairs with beige cushions.",
        ["72 in. x 38 in. table", "6 armchairs with cushions", "Powder-coated steel frame"],
        "Brown", kind="dining set", pieces=7, cushions=True, model="SH-D7W")
    add(c, sh, "Sunhaven 7-Piece Aluminum Patio Dining Set with Sling Chairs",
        "A 7-piece dining set with a slatted aluminum table and six quick-dry sling chairs.",
        ["Slatted aluminum table, 76 in.", "6 sling chairs", "Black frame"],
        "Black", kind="dining set", pieces=7, cushions=False, model="SH-D7S")
    add(c, ap, "Alderpoint 9-Piece Teak Outdoor Dining Set",
        "A grade-A teak extension table with eight chairs; the table extends from 71 in. to 94 in.",
        ["Solid teak", "Extension table", "8 chairs"],
        "Teak", kind="dining set", pieces=9, cushions=False, model="AP-D9T")
    for color in ("Gray", "Navy"):
        add(c, sh, f"Sunhaven 4-Piece Wicker Patio Conversation Set with {color} Cushions",
            "A loveseat, two armchairs and a glass-top coffee table in resin wicker, for relaxed seating rather than dining.",
            ["Loveseat, 2 chairs, coffee table", f"{color} cushions with zip covers", "All-weather wicker"],
            color, kind="conversation set", pieces=4, cushions=True, model=f"SH-C4-{color[:3].upper()}")
    for color in ("Black", "White"):
        add(c, ap, f"Alderpoint 3-Piece Steel Bistro Set in {color}",
            "Two folding steel chairs and a 24 in. round table sized for a balcony or small patio.",
            ["24 in. round table", "2 folding chairs", "Powder-coated steel"],
            color, kind="bistro set", pieces=3, model=f"AP-B3-{color[:3].upper()}")
    add(c, sh, "Sunhaven Aluminum Adjustable Chaise Lounge with Gray Cushion",
        "A five-position chaise lounge with wheels and a thick gray cushion.",
        ["5 back positions", "Rear wheels", "Cushion included"],
        "Gray", kind="chaise lounge", model="SH-CL1")
    add(c, cw, "Coastwood Poly Chaise Lounge, White",
        "A poly-lumber chaise lounge with an adjustable back and wheels; no cushion needed.",
        ["Recycled poly lumber", "4-position back"],
        "White", kind="chaise lounge", model="CW-CL-WHI")
    add(c, sh, "Sunhaven Aluminum Folding Sling Chair (2-Pack), Gray",
        "Lightweight folding sling chairs for patios, pools and camping.",
        ["2 chairs", "Quick-dry sling fabric", "Folds flat"],
        "Gray", kind="folding chair", model="SH-FC2")
    add(c, cw, "Coastwood Poly Outdoor Side Table, White",
        "An 18 in. square side table in recycled poly lumber, the same material as Coastwood Adirondack chairs.",
        ["18 in. x 18 in.", "Recycled poly lumber"],
        "White", kind="side table", model="CW-ST-WHI")

    for color in ("Navy", "Beige", "Red", "Sage"):
        add(c, ap, f"Alderpoint 9 ft. Aluminum Market Patio Umbrella with Crank and Tilt in {color}",
            "A 9 ft. market umbrella with a crank lift, push-button tilt and fade-resistant polyester canopy.",
            ["9 ft. canopy", "Crank lift and tilt", "Fits 1.5 in. umbrella base holes"],
            color, kind="umbrella", size_ft=9, red=color == "Red", model=f"AP-U9-{color[:3].upper()}")
    for color in ("Gray", "Black"):
        add(c, ap, f"Alderpoint 11 ft. Offset Cantilever Patio Umbrella in {color}",
            "A cantilever umbrella whose canopy hangs beside the pole, with 360-degree rotation; base sold separately.",
            ["11 ft. canopy", "360-degree rotation", "Cross base included, weights sold separately"],
            color, kind="umbrella", size_ft=11, model=f"AP-U11-{color[:3].upper()}")
    add(c, cw, "Coastwood 7.5 ft. Market Patio Umbrella in Beige",
        "A 7.5 ft. push-up umbrella for bistro and small dining tables.",
        ["7.5 ft. canopy", "Push-up open"],
        "Beige", kind="umbrella", size_ft=7.5, model="CW-U75")
    add(c, ap, "Alderpoint 50 lb. Resin Patio Umbrella Base in Bronze",
        "A weighted resin base for market umbrellas with poles up to 2 in.",
        ["50 lb.", "Fits 1.5-2 in. poles"],
        "Bronze", kind="umbrella base", model="AP-UB50")
    add(c, ap, "Alderpoint Cantilever Umbrella Base Weights (4-Piece)",
        "Four fillable weight plates that anchor an offset cantilever umbrella cross base.",
        ["4 weights, up to 220 lbs. total", "For cantilever umbrellas"],
        "Black", kind="umbrella base", model="AP-UBW4")

    for color in ("Navy", "Gray", "Beige"):
        add(c, sh, f"Sunhaven 19 x 19 in. Outdoor Dining Chair Cushion (2-Pack) in {color}",
            "Water-resistant seat cushions with ties, for patio dining chairs.",
            ["19 in. x 19 in. x 4 in.", "Fade-resistant fabric", "Ties included"],
            color, kind="cushion", model=f"SH-CU19-{color[:3].upper()}")
    add(c, sh, "Sunhaven 24 x 24 in. Deep Seat Outdoor Cushion Set in Navy",
        "A seat and back cushion set for deep-seating patio chairs and loveseats.",
        ["Seat 24 x 24 in., back 24 x 19 in.", "Zippered covers"],
        "Navy", kind="cushion", model="SH-CU24-NAV")
    add(c, sh, "Sunhaven High-Back Adirondack Chair Cushion in Navy",
        "A one-piece high-back cushion shaped to fit Adirondack chairs.",
        ["Fits most Adirondack chairs", "Water-resistant"],
        "Navy", kind="cushion", fits="adirondack", model="SH-CUA-NAV")

    for size, fits in (("108 in. Rectangular", "rectangular"), ("84 in. Round", "round")):
        add(c, cw, f"Coastwood Waterproof Patio Furniture Cover for {size} Table and Chairs",
            f"A heavy-duty waterproof cover for a {fits} patio dining table with chairs, with vents and drawstring hem.",
            ["600D waterproof polyester", "Air vents", "Drawstring hem"],
            "Khaki", kind="cover", covers="dining set", model=f"CW-CV-{fits[:3].upper()}")
    add(c, cw, "Coastwood Adirondack Chair Cover (2-Pack)",
        "Water-resistant covers shaped for Adirondack chairs.",
        ["2 covers", "Fits most Adirondack chairs"],
        "Khaki", kind="cover", covers="adirondack chair", model="CW-CV-AD2")
    add(c, cw, "Coastwood Patio Umbrella Cover with Rod",
        "A zip cover for 7 to 11 ft. market umbrellas, with a rod for easy fitting.",
        ["Fits 7-11 ft. umbrellas", "Zipper and rod"],
        "Khaki", kind="cover", covers="umbrella", model="CW-CV-UMB")

    for size, wood in (("5 ft.", "Cedar"), ("4 ft.", "Acacia")):
        add(c, ap, f"Alderpoint {size} {wood} Wood Porch Swing",
            f"A contoured {wood.lower()} porch swing for porches and pergolas; hanging chains included.",
            [f"{size} wide", "Hanging chains included", "Holds 500 lbs."],
            "Natural", kind="porch swing", model=f"AP-PS{size[0]}")
    add(c, ap, "Alderpoint Porch Swing Hanging Chain Kit, 800 lb. Capacity",
        "A heavy-duty chain kit with S-hooks and ceiling hooks for hanging porch swings.",
        ["800 lb. capacity", "Includes ceiling hooks"],
        "Black", kind="swing accessory", model="AP-PSCK")


# ---- Paint ---------------------------------------------------------------------------------

def vcode(vol: str) -> str:
    """'1 gal.' -> '1G', '5 gal.' -> '5G', '1 qt.' -> '1Q', '8 oz. Sample' -> '8S'."""
    number, unit = vol.split()[:2]
    return number + ("S" if "Sample" in vol else unit[0].upper())


def paint() -> None:
    c = "Paint"
    tc, hv, me = "Truecoat", "Hollis & Vane", "Meridian"
    upw = "Ultra Pure White"

    for vol in ("1 qt.", "1 gal.", "5 gal."):
        add(c, tc, f"Truecoat Interior Eggshell Paint & Primer, {upw}, {vol}",
            "A one-coat interior paint and primer with a soft, low-sheen eggshell finish that stands up to scrubbing; "
            "good for living rooms and hallways.",
            ["Eggshell sheen", "Paint and primer in one", "Low VOC", f"Size: {vol}"],
            upw, kind="paint", use="interior", sheen="eggshell", white=True, vol=vol, model=f"TC-IE-UPW-{vcode(vol)}")
    for vol in ("1 gal.", "5 gal."):
        add(c, tc, f"Truecoat Interior Flat Paint & Primer, {upw}, {vol}",
            "A flat interior paint and primer that hides wall imperfections; best for low-traffic rooms and ceilings.",
            ["Flat sheen", "Paint and primer in one", f"Size: {vol}"],
            upw, kind="paint", use="interior", sheen="flat", white=True, vol=vol, model=f"TC-IF-UPW-{vcode(vol)}")
    for color in ("Harbor Gray", "Sage Leaf"):
        add(c, tc, f"Truecoat Interior Eggshell Paint & Primer, {color}, 1 gal.",
            f"Truecoat eggshell interior paint and primer, tinted {color}.",
            ["Eggshell sheen", "Paint and primer in one", "Size: 1 gal."],
            color, kind="paint", use="interior", sheen="eggshell", vol="1 gal.", model=f"TC-IE-{color[:2].upper()}-1")
    add(c, tc, "Truecoat Interior Satin Paint & Primer, Harbor Gray, 1 gal.",
        "A satin interior paint and primer for kitchens, baths and kids' rooms, tinted Harbor Gray.",
        ["Satin sheen", "Mildew-resistant finish", "Size: 1 gal."],
        "Harbor Gray", kind="paint", use="interior", sheen="satin", vol="1 gal.", model="TC-IS-HA-1")
    for vol in ("1 qt.", "1 gal."):
        add(c, tc, f"Truecoat Interior Semi-Gloss Trim Paint & Primer, {upw}, {vol}",
            "A durable semi-gloss paint for trim, doors and cabinets that resists fingerprints and wipes clean.",
            ["Semi-gloss sheen", "For trim, doors and cabinets", f"Size: {vol}"],
            upw, kind="paint", use="interior", sheen="semi-gloss", white=True, vol=vol, model=f"TC-ISG-UPW-{vcode(vol)}")
    for vol, note in (("1 gal.", "A premium matte interior paint with rich, deep color."),
                      ("8 oz. Sample", "An 8 oz. sample jar for trying the color on the wall before buying a gallon.")):
        add(c, hv, f"Hollis & Vane Premium Interior Matte Paint, Midnight Navy, {vol}",
            f"{note} Midnight Navy is a dark, inky blue.",
            ["Matte sheen", "Color: Midnight Navy", f"Size: {vol}"],
            "Midnight Navy", kind="paint", use="interior", sheen="matte", vol=vol, navy=True,
            model=f"HV-IM-MN-{vcode(vol)}")
    add(c, hv, "Hollis & Vane Premium Interior Matte Paint, Alabaster Mist, 1 gal.",
        "A premium matte interior paint in Alabaster Mist, a warm off-white.",
        ["Matte sheen", "Color: Alabaster Mist", "Size: 1 gal."],
        "Alabaster Mist", kind="paint", use="interior", sheen="matte", vol="1 gal.", white=True, model="HV-IM-AM-1")
    add(c, hv, "Hollis & Vane Premium Interior Eggshell Paint, Alabaster Mist, 1 gal.",
        "Alabaster Mist in an easy-to-clean eggshell finish.",
        ["Eggshell sheen", "Color: Alabaster Mist", "Size: 1 gal."],
        "Alabaster Mist", kind="paint", use="interior", sheen="eggshell", vol="1 gal.", white=True, model="HV-IE-AM-1")
    for vol in ("1 gal.", "5 gal."):
        add(c, hv, f"Hollis & Vane Exterior Satin Paint, Pure White, {vol}",
            "An exterior acrylic paint with a satin finish for siding and trim; resists cracking, peeling and mildew.",
            ["Exterior use", "Satin sheen", f"Size: {vol}"],
            "Pure White", kind="paint", use="exterior", sheen="satin", white=True, vol=vol, model=f"HV-ES-PW-{vcode(vol)}")
    add(c, hv, "Hollis & Vane Exterior Flat Paint, Midnight Navy, 1 gal.",
        "Exterior flat acrylic paint in Midnight Navy for front doors, shutters and siding.",
        ["Exterior use", "Flat sheen", "Size: 1 gal."],
        "Midnight Navy", kind="paint", use="exterior", sheen="flat", vol="1 gal.", navy=True, model="HV-EF-MN-1")
    add(c, tc, f"Truecoat Exterior Satin Paint & Primer, {upw}, 1 gal.",
        "An exterior paint and primer for wood, vinyl and masonry, in a satin finish.",
        ["Exterior use", "Satin sheen", "Size: 1 gal."],
        upw, kind="paint", use="exterior", sheen="satin", white=True, vol="1 gal.", model="TC-ES-UPW-1")
    for vol in ("1 gal.", "5 gal."):
        add(c, me, f"Meridian Contractor Interior Flat Ceiling Paint, White, {vol}",
            "A bright white, ultra-flat ceiling paint with low spatter for rolling overhead.",
            ["Ultra-flat finish", "Low spatter", f"Size: {vol}"],
            "White", kind="paint", use="interior", sheen="flat", white=True, ceiling=True, vol=vol,
            model=f"ME-CP-W-{vcode(vol)}")
    for vol in ("1 gal.", "5 gal."):
        add(c, me, f"Meridian Stain-Blocking Interior/Exterior Primer, {vol}",
            "A water-based primer that seals water stains, smoke damage and marker so they don't bleed through paint.",
            ["Blocks water, smoke and tannin stains", "Interior and exterior", f"Size: {vol}"],
            "White", kind="primer", stain_blocking=True, vol=vol, model=f"ME-SBP-{vcode(vol)}")
    add(c, me, "Meridian Stain-Blocking Spray Primer, 13 oz.",
        "An aerosol primer for spot-sealing water stains on ceilings and walls; dries in 30 minutes.",
        ["13 oz. aerosol", "Seals water stains", "Flat white"],
        "White", kind="primer", stain_blocking=True, vol="13 oz.", model="ME-SBS13")
    add(c, tc, "Truecoat Drywall Primer & Sealer, 5 gal.",
        "A low-cost PVA primer for new drywall and joint compound.",
        ["For new drywall", "Size: 5 gal."],
        "White", kind="primer", vol="5 gal.", model="TC-DWP-5")

    for color in ("Black", "White", "Red"):
        add(c, hv, f"Hollis & Vane 12 oz. Gloss {color} Spray Paint",
            f"A fast-drying gloss {color.lower()} enamel spray paint for metal, wood and plastic, with a comfort tip.",
            ["12 oz. aerosol", "Gloss finish", "Dries to touch in 20 minutes"],
            color, kind="spray paint", black=color == "Black", red=color == "Red", white=color == "White",
            model=f"HV-SP-G{color[0]}")
    add(c, hv, "Hollis & Vane 12 oz. Matte Black Spray Paint",
        "A flat-finish black spray paint that hides surface flaws on metal and wood.",
        ["12 oz. aerosol", "Matte finish"],
        "Black", kind="spray paint", black=True, model="HV-SP-MB")
    for vol in ("1 gal.", "5 gal."):
        add(c, me, f"Meridian Semi-Transparent Deck and Fence Stain, Cedar, {vol}",
            "An oil-enhanced semi-transparent stain that shows wood grain and protects decks and fences from sun and rain.",
            ["Semi-transparent", "Color: Cedar", f"Size: {vol}"],
            "Cedar", kind="stain", vol=vol, model=f"ME-DS-CE-{vcode(vol)}")
    add(c, me, "Meridian Solid Color Deck Stain, Slate Gray, 1 gal.",
        "An opaque deck stain that hides worn boards while letting wood texture show.",
        ["Solid color", "Color: Slate Gray", "Size: 1 gal."],
        "Slate Gray", kind="stain", vol="1 gal.", model="ME-DS-SG-1")

    add(c, me, "Meridian 9 in. x 3/8 in. Nap Microfiber Roller Cover (3-Pack)",
        "Microfiber roller covers with a 3/8 in. nap for smooth to semi-smooth walls.",
        ["9 in. wide", "3/8 in. nap", "3 covers"],
        "White", kind="roller cover", nap="3/8", model="ME-RC38-3")
    add(c, tc, "Truecoat 9 in. x 3/8 in. Nap Woven Roller Cover",
        "A single shed-resistant woven roller cover for all paint sheens.",
        ["9 in. wide", "3/8 in. nap"],
        "White", kind="roller cover", nap="3/8", model="TC-RC38")
    add(c, me, "Meridian 9 in. x 1/2 in. Nap Roller Cover (3-Pack)",
        "Roller covers with a 1/2 in. nap for textured walls, stucco and block.",
        ["9 in. wide", "1/2 in. nap", "3 covers"],
        "White", kind="roller cover", nap="1/2", model="ME-RC12-3")
    add(c, me, "Meridian 9 in. Heavy-Duty Paint Roller Frame",
        "A five-wire cage roller frame with a threaded handle that accepts an extension pole.",
        ["Fits 9 in. covers", "Threaded handle"],
        "Gray", kind="roller frame", model="ME-RF9")
    for width in ("2", "2-1/2"):
        add(c, tc, f"Truecoat {width} in. Angled Sash Paint Brush",
            "A polyester/nylon angled sash brush for cutting in along ceilings and trim.",
            [f"{width} in. angled", "For all paints and stains"],
            "Natural", kind="brush", model=f"TC-BR{width.replace('-', '').replace('/', '')}")
    add(c, me, "Meridian 9 in. Metal Paint Tray with 3 Liners",
        "A sturdy metal paint tray with three disposable plastic liners for quick cleanup.",
        ["Fits 9 in. rollers", "3 liners included"],
        "Silver", kind="tray", model="ME-TR9")
    for brand, model in ((me, "ME-PT188"), (tc, "TC-PT188")):
        add(c, brand, "Blue Painter's Tape, 1.88 in. x 60 yd.",
            "Medium-adhesion blue painter's tape that removes cleanly for up to 14 days; for walls, trim and glass.",
            ["1.88 in. x 60 yd.", "Clean removal up to 14 days"],
            "Blue", kind="tape", model=model)
    add(c, me, "Meridian Blue Painter's Tape, 0.94 in. x 60 yd.",
        "Narrow blue painter's tape for window muntins and detailed trim.",
        ["0.94 in. x 60 yd.", "Medium adhesion"],
        "Blue", kind="tape", model="ME-PT094")
    add(c, tc, "Truecoat 9 ft. x 12 ft. Canvas Drop Cloth",
        "A heavy cotton canvas drop cloth that absorbs drips and won't slip on floors.",
        ["9 ft. x 12 ft.", "Reusable canvas"],
        "Natural", kind="drop cloth", model="TC-DC912")
    add(c, me, "Meridian 5-gal. Bucket Roller Grid",
        "A metal grid that hangs inside a 5-gal. bucket for loading a roller without a tray.",
        ["Fits 5-gal. buckets", "Metal"],
        "Silver", kind="bucket grid", model="ME-BG5")


# ---- Lighting ------------------------------------------------------------------------------

def lighting() -> None:
    c = "Lighting"
    lu, bw, hd = "Lumenor", "Brightwell", "Halvard"

    for temp, name in (("2700K", "Soft White"), ("5000K", "Daylight")):
        for pack in (4, 16):
            add(c, lu, f"Lumenor 60-Watt Equivalent A19 Dimmable LED Light Bulb, {name} {temp} ({pack}-Pack)",
                f"A dimmable 9 W A19 LED bulb that replaces a 60 W incandescent, with {name.lower()} {temp} light and a "
                "standard E26 base.",
                ["Uses 9 W, replaces 60 W", f"{name} {temp}", "800 lumens, dimmable", f"{pack} bulbs"],
                "", kind="bulb", watt_eq=60, temp=temp, shape="A19", model=f"LU-A19-60-{temp[0]}-{pack}")
    for brand, model in ((bw, "BW-A1960SW4"), (hd, "HD-A1960SW4")):
        add(c, brand, "60-Watt Equivalent A19 Dimmable LED Light Bulb Soft White (4-Pack)",
            "Everyday dimmable LED bulbs with a warm 2700K glow and E26 medium base.",
            ["800 lumens", "2700K soft white", "E26 base", "4 bulbs"],
            "", kind="bulb", watt_eq=60, temp="2700K", shape="A19", model=model)
    for temp, name in (("2700K", "Soft White"), ("5000K", "Daylight")):
        add(c, lu, f"Lumenor 100-Watt Equivalent A19 LED Light Bulb, {name} {temp} (4-Pack)",
            f"A bright 1600-lumen A19 LED bulb that replaces a 100 W incandescent, in {name.lower()} {temp}.",
            ["Uses 14 W, replaces 100 W", "1600 lumens", f"{name} {temp}"],
            "", kind="bulb", watt_eq=100, temp=temp, shape="A19", model=f"LU-A19-100-{temp[0]}-4")
    add(c, lu, "Lumenor 65-Watt Equivalent BR30 Dimmable LED Flood Light Bulb, Soft White (6-Pack)",
        "Indoor BR30 flood bulbs for recessed cans, replacing 65 W incandescents.",
        ["BR30 shape", "650 lumens, 2700K", "6 bulbs"],
        "", kind="bulb", watt_eq=65, temp="2700K", shape="BR30", model="LU-BR30-65-6")
    add(c, hd, "Halvard 40-Watt Equivalent B11 Candelabra E12 LED Light Bulb, Soft White (6-Pack)",
        "Torpedo-shaped candelabra-base LED bulbs for chandeliers and sconces.",
        ["E12 candelabra base", "350 lumens, 2700K", "6 bulbs"],
        "", kind="bulb", watt_eq=40, temp="2700K", shape="B11", candelabra=True, model="HD-B11-40-6")
    add(c, bw, "Brightwell 60-Watt Equivalent Smart Wi-Fi A19 Color-Changing LED Bulb (2-Pack)",
        "App- and voice-controlled A19 bulbs with 16 million colors and tunable white; no hub required.",
        ["Wi-Fi, no hub", "Color and tunable white 2200-6500K", "800 lumens", "2 bulbs"],
        "", kind="smart bulb", watt_eq=60, temp="tunable", shape="A19", model="BW-SA19C-2")
    add(c, bw, "Brightwell 90-Watt Equivalent PAR38 Outdoor LED Flood Light Bulb, Daylight 5000K (2-Pack)",
        "Weatherproof PAR38 flood bulbs for outdoor fixtures and security lights.",
        ["PAR38, wet rated", "1300 lumens, 5000K", "2 bulbs"],
        "", kind="bulb", watt_eq=90, temp="5000K", shape="PAR38", outdoor=True, model="BW-PAR38-90-2")

    for code in ("BN", "MB", "CP"):
        add(c, hd, f"Halvard 3-Light Vanity Light in {FIN[code]} with Frosted Glass Shades",
            "A 24 in. bathroom vanity light with three frosted glass shades that mounts over a mirror, "
            "shades up or down. Uses three medium-base bulbs (not included).",
            ["24 in. wide", "3 x 60 W max medium-base bulbs", f"{FIN[code]} finish", "Damp rated"],
            FIN[code], kind="vanity light", finish=code, model=f"HD-V3-{code}")
    add(c, hd, "Halvard 4-Light Vanity Light in Brushed Nickel",
        "A 32 in. four-light bathroom vanity fixture in brushed nickel with clear seeded glass.",
        ["32 in. wide", "4 medium-base bulbs (not included)", "Brushed nickel finish"],
        "Brushed Nickel", kind="vanity light", finish="BN", model="HD-V4-BN")
    for code, color in (("WH", "White"), ("BN", "Brushed Nickel")):
        add(c, hd, f"Halvard 13 in. LED Flush Mount Ceiling Light in {color}",
            "A low-profile dimmable LED flush mount for hallways and bedrooms, with integrated LEDs that never need "
            "replacing.",
            ["13 in. diameter", "Integrated LED, 1500 lumens", "Selectable 3000K/4000K/5000K"],
            color, kind="flush mount", finish=code, model=f"HD-FM13-{code}")
    add(c, bw, "Brightwell 11 in. 2-Light Drum Flush Mount Ceiling Light in Matte Black",
        "A fabric drum-shade flush mount with a matte black frame; takes two medium-base bulbs.",
        ["11 in. diameter", "2 medium-base bulbs (not included)", "Matte black"],
        "Matte Black", kind="flush mount", finish="MB", model="BW-FM11-MB")
    add(c, bw, "Brightwell 5-Light Farmhouse Chandelier in Matte Black",
        "A farmhouse-style chandelier with an open cage frame over five candelabra sockets, for dining rooms.",
        ["5 x E12 candelabra sockets", "Adjustable chain", "Matte black"],
        "Matte Black", kind="chandelier", farmhouse=True, finish="MB", model="BW-CH5-MB")
    add(c, hd, "Halvard 6-Light Farmhouse Chandelier in Weathered Wood",
        "A wood-bead and distressed-wood farmhouse chandelier with six candelabra lights.",
        ["6 x E12 candelabra sockets", "Weathered wood finish"],
        "Weathered Wood", kind="chandelier", farmhouse=True, finish="WW", model="HD-CH6-WW")
    add(c, bw, "Brightwell 6-Light Crystal Chandelier in Chrome",
        "A glam crystal chandelier in polished chrome for entryways and dining rooms.",
        ["6 x E12 sockets", "K9 crystal", "Chrome"],
        "Chrome", kind="chandelier", finish="CP", model="BW-CH6-CP")
    for code in ("BG", "MB"):
        add(c, bw, f"Brightwell 1-Light Mini Pendant with Seeded Glass in {FIN[code]}",
            "A mini pendant with a seeded glass globe, to hang over a kitchen island in groups of two or three.",
            ["7 in. seeded glass shade", "1 medium-base bulb", "Adjustable cord"],
            FIN[code], kind="pendant", finish=code, model=f"BW-P1-{code}")
    for size, pack in (("6", 4), ("6", 12), ("4", 4)):
        add(c, lu, f"Lumenor {size} in. LED Recessed Retrofit Downlight, Selectable CCT ({pack}-Pack)",
            f"Integrated LED trims that retrofit into existing {size} in. recessed cans with an E26 adapter; dimmable.",
            [f"Fits {size} in. cans", "Selectable 2700K-5000K", "Dimmable", f"{pack} lights"],
            "White", kind="recessed", size_in=size, model=f"LU-RD{size}-{pack}")
    for pack in (1, 2):
        add(c, hd, f"Halvard 1-Light Outdoor Wall Lantern in Black{' (2-Pack)' if pack == 2 else ''}",
            "A coach-style outdoor wall lantern with clear glass for porches and garage doors; wet rated.",
            ["Wet rated", "1 medium-base bulb", "Black finish"],
            "Black", kind="wall lantern", outdoor=True, model=f"HD-WL1-{pack}")
    for color in ("White", "Bronze"):
        add(c, lu, f"Lumenor LED Motion Sensor Dual-Head Outdoor Security Flood Light in {color}",
            "A hardwired dual-head LED security light that turns on when motion is detected up to 70 ft. away.",
            ["2400 lumens, 5000K", "180-degree motion sensor", "Dusk-to-dawn mode"],
            color, kind="flood light", outdoor=True, motion=True, model=f"LU-SF2-{color[:2].upper()}")
    add(c, lu, "Lumenor Solar LED Motion Sensor Outdoor Wall Light",
        "A wireless solar security light that mounts anywhere and lights up on motion.",
        ["Solar powered", "Motion activated", "IP65 weatherproof"],
        "Black", kind="flood light", outdoor=True, motion=True, model="LU-SOL1")
    add(c, bw, "Brightwell 48 ft. Outdoor String Lights with 24 Edison Bulbs",
        "Commercial-grade patio string lights with shatterproof Edison-style bulbs.",
        ["48 ft., 24 sockets", "Shatterproof bulbs", "Weatherproof"],
        "Black", kind="string lights", outdoor=True, model="BW-SL48")
    for size in ("12", "24"):
        add(c, lu, f"Lumenor {size} in. LED Under Cabinet Light Bar",
            f"A slim {size} in. plug-in LED light bar for under kitchen cabinets, with an on/off rocker and linkable design.",
            [f"{size} in. long", "Plug-in or hardwire", "Linkable"],
            "White", kind="under cabinet", model=f"LU-UC{size}")
    add(c, bw, "Brightwell Single-Pole/3-Way LED Dimmer Switch, White",
        "A slide dimmer made for dimmable LED and CFL bulbs; works in single-pole or 3-way circuits.",
        ["150 W LED / 600 W incandescent", "Single-pole or 3-way"],
        "White", kind="dimmer", model="BW-DS1")
    add(c, hd, "Halvard 24 in. Ceramic Table Lamp, White",
        "A ceramic table lamp with a linen drum shade for bedside or living-room tables.",
        ["24 in. tall", "Linen shade", "Rotary switch"],
        "White", kind="table lamp", model="HD-TL24")


# ---- Phone accessories ---------------------------------------------------------------------

def phone() -> None:
    c = "Phone Accessories"
    ze, am, ko = "Zentra", "Amperly", "Kovo"

    for phone_name in ("iPhone 15", "iPhone 15 Pro", "Galaxy S24"):
        add(c, ze, f"Zentra Clear Case for {phone_name}",
            f"A slim crystal-clear case for {phone_name} with anti-yellowing coating and raised camera lip.",
            ["Anti-yellowing", "Raised edges for screen and camera", f"Fits {phone_name} only"],
            "Clear", kind="case", compat=phone_name, style="clear", model=f"ZE-CC-{phone_name.replace(' ', '')}")
    for phone_name, color in (("iPhone 15", "Black"), ("iPhone 15", "Navy"), ("iPhone 15 Pro", "Black"),
                              ("Galaxy S24", "Black")):
        add(c, ze, f"Zentra Rugged Armor Case for {phone_name}, {color}",
            f"A dual-layer rugged case for {phone_name} with air-cushion corners, tested to 12 ft. drops.",
            ["12 ft. drop protection", "Dual-layer TPU and polycarbonate", f"Fits {phone_name} only"],
            color, kind="case", compat=phone_name, style="rugged",
            model=f"ZE-RA-{phone_name.replace(' ', '')}-{color[:2].upper()}")
    for color in ("Black", "Pink", "Sky Blue"):
        add(c, ko, "Kovo Silicone Case with MagSafe for iPhone 15",
            "A soft-touch silicone case with a microfiber lining and built-in magnets for MagSafe chargers.",
            ["MagSafe compatible", "Microfiber lining", "Fits iPhone 15 only"],
            color, kind="case", compat="iPhone 15", style="silicone", model=f"KO-SC15-{color[:2].upper()}")
    for phone_name in ("iPhone 15", "iPhone 15 Pro", "Galaxy S24"):
        add(c, ze, f"Zentra Tempered Glass Screen Protector for {phone_name} (2-Pack)",
            f"9H tempered glass screen protectors for {phone_name} with an alignment frame for bubble-free install.",
            ["9H hardness", "Alignment frame", "2 protectors"],
            "Clear", kind="screen protector", compat=phone_name, model=f"ZE-SP-{phone_name.replace(' ', '')}")
    add(c, ze, "Zentra Privacy Tempered Glass Screen Protector for iPhone 15",
        "A privacy-filter screen protector that darkens the screen from side angles.",
        ["28-degree privacy filter", "9H glass"],
        "Black", kind="screen protector", compat="iPhone 15", privacy=True, model="ZE-SPP-iPhone15")

    for color in ("White", "Black"):
        add(c, am, "Amperly 20W USB-C PD Fast Wall Charger",
            "A compact 20 W USB-C Power Delivery wall charger that fast-charges recent phones to 50% in about 30 minutes.",
            ["20 W USB-C PD", "Foldable plug"],
            color, kind="wall charger", watts=20, usbc=True, model=f"AM-WC20-{color[0]}")
    add(c, am, "Amperly 35W Dual USB-C Wall Charger",
        "Two USB-C ports sharing 35 W, to charge a phone and earbuds at the same time.",
        ["2 x USB-C", "35 W total"],
        "White", kind="wall charger", watts=35, usbc=True, model="AM-WC35")
    add(c, am, "Amperly 65W GaN 3-Port USB-C Charger",
        "A GaN charger with two USB-C ports and one USB-A port that can power a laptop, tablet and phone.",
        ["65 W max", "2 x USB-C, 1 x USB-A", "GaN technology"],
        "Black", kind="wall charger", watts=65, usbc=True, model="AM-WC65")
    add(c, am, "Amperly 40W Dual USB-C Car Charger",
        "A flush-fit car charger with two 20 W USB-C PD ports.",
        ["2 x 20 W USB-C", "12V/24V socket"],
        "Black", kind="car charger", watts=40, usbc=True, model="AM-CC40")

    for brand, model in ((am, "AM-CB-CC6"), (ko, "KO-CB-CC6")):
        add(c, brand, "USB-C to USB-C Cable, 6 ft.",
            "A 6 ft. USB-C to USB-C charging and data cable rated for 60 W.",
            ["6 ft. length", "60 W charging", "USB 2.0 data"],
            "Black" if brand == am else "White", kind="cable", conn="C-C", length_ft=6, model=model)
    add(c, am, "Amperly USB-C to USB-C Cable, 3 ft.",
        "A short 3 ft. USB-C cable for desks and power banks.",
        ["3 ft. length", "60 W charging"],
        "Black", kind="cable", conn="C-C", length_ft=3, model="AM-CB-CC3")
    add(c, am, "Amperly 10 ft. Braided USB-C to USB-C Cable, 100W",
        "A nylon-braided 10 ft. cable that reaches from the wall to the bed; supports 100 W laptops.",
        ["10 ft. braided", "100 W charging"],
        "Gray", kind="cable", conn="C-C", length_ft=10, model="AM-CB-CC10B")
    add(c, am, "Amperly USB-C to Lightning Cable, 6 ft.",
        "A 6 ft. cable for older iPhones with a Lightning port, for use with a USB-C charger.",
        ["USB-C to Lightning", "6 ft. length"],
        "White", kind="cable", conn="C-L", length_ft=6, model="AM-CB-CL6")
    add(c, am, "Amperly USB-A to USB-C Cable, 6 ft.",
        "A 6 ft. cable with a classic USB-A plug on one end and USB-C on the other.",
        ["USB-A to USB-C", "6 ft. length"],
        "Black", kind="cable", conn="A-C", length_ft=6, model="AM-CB-AC6")

    for mah in (10000, 20000):
        add(c, am, f"Amperly {mah:,} mAh Portable Power Bank with USB-C PD",
            f"A {mah:,} mAh battery pack with 20 W USB-C Power Delivery that recharges a phone "
            f"{'about twice' if mah == 10000 else 'about four times'}.",
            [f"{mah:,} mAh", "20 W USB-C in/out", "LED charge indicator"],
            "Black", kind="power bank", mah=mah, model=f"AM-PB{mah // 1000}")
    add(c, ko, "Kovo 5,000 mAh Magnetic Wireless Power Bank for MagSafe",
        "A slim magnetic battery that snaps onto the back of MagSafe iPhones and cases.",
        ["5,000 mAh", "Magnetic wireless charging", "USB-C input"],
        "White", kind="power bank", mah=5000, magsafe=True, model="KO-PB5M")
    add(c, ko, "Kovo 15W Wireless Charging Pad",
        "A Qi wireless charging pad for phones and earbuds; power adapter sold separately.",
        ["15 W max", "Qi compatible", "Adapter not included"],
        "Black", kind="wireless charger", model="KO-WP15")
    add(c, ko, "Kovo 3-in-1 Wireless Charging Stand for Phone, Earbuds and Watch",
        "Charges a phone, earbuds case and smartwatch at once; includes a 30 W adapter.",
        ["3 devices at once", "Adapter included"],
        "White", kind="wireless charger", model="KO-WS3")
    add(c, ze, "Zentra Dashboard and Windshield Car Phone Mount",
        "A suction-cup car mount with a telescopic arm that holds phones 4.7 to 6.9 in.",
        ["Suction cup base", "Telescopic arm", "One-touch release"],
        "Black", kind="car mount", model="ZE-CM-D")
    add(c, ze, "Zentra Magnetic Air Vent Car Phone Holder",
        "A compact magnetic vent mount with two metal plates for phones and cases.",
        ["Air vent clip", "Strong magnets", "2 metal plates included"],
        "Black", kind="car mount", model="ZE-CM-V")
    for color in ("Black", "White"):
        add(c, ko, "Kovo True Wireless Earbuds with Charging Case",
            "Bluetooth 5.3 earbuds with active noise cancellation and 30 hours of total battery with the case.",
            ["Active noise cancellation", "30 hr total battery", "IPX4 sweat resistant"],
            color, kind="earbuds", model=f"KO-EB-{color[0]}")
    add(c, ko, "Kovo Over-Ear Wireless Headphones",
        "Foldable over-ear Bluetooth headphones with 40-hour battery life.",
        ["40 hr battery", "Foldable"],
        "Black", kind="headphones", model="KO-HP1")
    add(c, ko, "Kovo Phone Grip and Stand",
        "A collapsible grip that sticks to the back of a phone or case and doubles as a stand.",
        ["Adhesive mount", "Works as a stand"],
        "Black", kind="grip", model="KO-GR1")
    add(c, ze, "Zentra Waterproof Phone Pouch (2-Pack)",
        "IPX8 waterproof pouches with lanyards for beaches and kayaking; fit phones up to 7 in.",
        ["IPX8", "Fits up to 7 in.", "2 pouches"],
        "Clear", kind="pouch", model="ZE-WP2")
    add(c, ze, "Zentra Selfie Stick Tripod with Bluetooth Remote",
        "An extendable selfie stick that turns into a tripod, with a detachable remote.",
        ["Extends to 40 in.", "Bluetooth remote"],
        "Black", kind="selfie stick", model="ZE-SS1")


# ---- Running shoes -------------------------------------------------------------------------

def shoes() -> None:
    c = "Running Shoes"
    sw, pf, no = "Stridewell", "Pacefield", "Norra"

    def shoe(brand, gender, line, style, color, size, wide=False, model="", text="", bullets=()):
        g = {"men": "Men's", "women": "Women's"}[gender]
        width = (" Wide (2E)" if gender == "men" else " Wide (D)") if wide else ""
        add(c, brand, f"{brand} {g} {line}, {color}, Size {size}{width}", text, list(bullets), color,
            kind="running shoe", gender=gender, line=line, style=style, size=size, wide=wide, model=model)

    cp_text = ("A neutral road running shoe with a soft foam midsole and breathable engineered mesh upper for daily "
               "miles.")
    cp_bul = ["Neutral cushioning", "10 mm heel-to-toe drop", "Engineered mesh upper", "Weighs about 9.5 oz."]
    for size in ("9", "10", "10.5", "11"):
        shoe(sw, "men", "Cloudpath 5 Road Running Shoe", "road", "Black/White", size, model=f"SW-CP5M-BW-{size}",
             text=cp_text, bullets=cp_bul)
    shoe(sw, "men", "Cloudpath 5 Road Running Shoe", "road", "Black/White", "11", wide=True, model="SW-CP5M-BW-11W",
         text=cp_text + " Wide fit with a roomier toe box.", bullets=cp_bul)
    shoe(sw, "men", "Cloudpath 5 Road Running Shoe", "road", "Blue/Orange", "10", model="SW-CP5M-BO-10",
         text=cp_text, bullets=cp_bul)
    for color, size in (("Pink/White", "7"), ("Pink/White", "8"), ("Black", "8")):
        shoe(sw, "women", "Cloudpath 5 Road Running Shoe", "road", color, size,
             model=f"SW-CP5W-{color[:2].upper()}-{size}", text=cp_text, bullets=cp_bul)

    tt_text = "A trail running shoe with a rock plate and sticky lugged outsole for dirt, mud and rocky singletrack."
    tt_bul = ["4 mm lugs", "Rock plate", "Gusseted tongue keeps debris out"]
    for size, wide in (("10", False), ("11", False), ("10.5", True)):
        shoe(pf, "men", "Tempo Trail Running Shoe", "trail", "Olive", size, wide=wide,
             model=f"PF-TTM-OL-{size}{'W' if wide else ''}", text=tt_text, bullets=tt_bul)
    shoe(pf, "women", "Tempo Trail Running Shoe", "trail", "Gray/Teal", "7", model="PF-TTW-GT-7",
         text=tt_text, bullets=tt_bul)

    arc_text = "A stability running shoe with a firm medial post that guides overpronating feet, for daily training."
    arc_bul = ["Stability / support", "Medial post", "12 mm drop"]
    for size, wide in (("10", False), ("10", True)):
        shoe(no, "men", "Arc 3 Stability Running Shoe", "stability", "Navy", size, wide=wide,
             model=f"NO-ARC3M-NV-{size}{'W' if wide else ''}", text=arc_text, bullets=arc_bul)
    for size, wide in (("8", True), ("9", False)):
        shoe(no, "women", "Arc 3 Stability Running Shoe", "stability", "White", size, wide=wide,
             model=f"NO-ARC3W-WH-{size}{'W' if wide else ''}", text=arc_text, bullets=arc_bul)

    fl_text = "A featherweight racing flat with a carbon-infused plate for 5K and 10K race days; about 6 oz."
    fl_bul = ["Weighs about 6 oz.", "Carbon-infused plate", "Minimal 4 mm drop"]
    shoe(pf, "men", "Featherlite Racing Flat", "racing", "Volt Yellow", "9", model="PF-FLM-VY-9",
         text=fl_text, bullets=fl_bul)
    shoe(pf, "women", "Featherlite Racing Flat", "racing", "Volt Yellow", "7.5", model="PF-FLW-VY-7.5",
         text=fl_text, bullets=fl_bul)

    for color in ("Black", "Gray"):
        add(c, no, "Norra Men's Everyday Running Shoe",
            "An affordable lightweight running shoe with a cushioned midsole for jogging and gym workouts. "
            "Available in whole and half sizes 7-13.",
            ["Lightweight mesh upper", "Cushioned EVA midsole", "Sizes 7-13"],
            color, kind="running shoe", gender="men", line="Everyday Running Shoe", style="road", size=None,
            wide=False, model=f"NO-EVM-{color[:2].upper()}")
    add(c, no, "Norra Kids' Lightweight Running Sneaker, Size 3",
        "A lightweight running sneaker for kids with a hook-and-loop strap.",
        ["Hook-and-loop closure", "Non-marking outsole"],
        "Blue", kind="running shoe", gender="kids", style="road", size="3", wide=False, model="NO-KRS-3")
    add(c, no, "Norra Men's Everyday Walking Shoe, Brown, Size 10",
        "A leather walking shoe with a cushioned footbed for all-day comfort; not designed for running.",
        ["Leather upper", "Cushioned footbed"],
        "Brown", kind="walking shoe", gender="men", size="10", model="NO-WKM-BR-10")
    add(c, pf, "Pacefield Women's Cross-Training Shoe, Black, Size 8",
        "A flat, stable training shoe for lifting and HIIT classes, with a wide forefoot.",
        ["Flat, stable base", "Rope-climb guard"],
        "Black", kind="cross-trainer", gender="women", size="8", model="PF-XTW-BK-8")

    add(c, sw, "Stridewell Cushioned Running Socks (6-Pack)",
        "Moisture-wicking quarter-crew running socks with a cushioned sole and arch support.",
        ["6 pairs", "Moisture-wicking", "Arch support"],
        "White", kind="socks", model="SW-SK6")
    add(c, sw, "Stridewell No-Show Running Socks (3-Pack)",
        "Low-profile running socks with a heel tab that stops blisters.",
        ["3 pairs", "Heel tab"],
        "Black", kind="socks", model="SW-SKN3")
    add(c, pf, "Pacefield Performance Running Insoles",
        "Trim-to-fit insoles with a deep heel cup and arch support for running shoes.",
        ["Trim to fit", "Deep heel cup"],
        "Blue", kind="insoles", model="PF-IN1")
    add(c, no, "Norra Round Athletic Shoe Laces (2-Pair)",
        "Replacement round laces for running and athletic shoes, 45 in.",
        ["45 in.", "2 pairs"],
        "White", kind="laces", model="NO-LC2")
    add(c, pf, "Pacefield Running Belt with Phone Pocket",
        "A bounce-free waist belt that carries a phone, keys and gels on runs.",
        ["Fits phones up to 6.9 in.", "Reflective trim"],
        "Black", kind="running belt", model="PF-RB1")
    add(c, sw, "Stridewell Reflective Running Vest",
        "A lightweight high-visibility vest for running at dawn or after dark.",
        ["360-degree reflective", "Adjustable straps"],
        "Neon Yellow", kind="running vest", model="SW-RV1")


# --------------------------------------------------------------------------------------------
# Queries and judgement rules
# --------------------------------------------------------------------------------------------

Pred = Callable[[Item], bool]
NEVER: Pred = lambda p: False


@dataclass
class Query:
    text: str
    exact: Pred  # gain 3: the product is what the shopper asked for
    sub: Pred = NEVER  # gain 2: a substitute, misses some aspect but could serve
    comp: Pred = NEVER  # gain 1: complement or accessory
    neg: Pred = NEVER  # products to prefer when picking judged-irrelevant (gain 0) ones: the tempting wrong answers
    qid: str = field(default="")

    def grade(self, p: Item) -> int:
        if self.exact(p):
            return 3
        if self.sub(p):
            return 2
        if self.comp(p):
            return 1
        return 0


def kind(*kinds: str) -> Pred:
    return lambda p: p.kind in kinds


def both(*preds: Pred) -> Pred:
    return lambda p: all(f(p) for f in preds)


def has(key: str, *values) -> Pred:
    if not values:
        return lambda p: bool(p.get(key))
    return lambda p: p.get(key) in values


def brand(name: str) -> Pred:
    return lambda p: p.brand == name


def category(name: str) -> Pred:
    return lambda p: p.category == name


def model(*models: str) -> Pred:
    return lambda p: p.get("model") in models


def title_has(word: str) -> Pred:
    return lambda p: word.lower() in p.title.lower()


def contains(tool: str) -> Pred:
    return lambda p: tool in p.get("contains", ())


cordless_drill = both(kind("drill", "hammer drill"), has("power", "cordless"))
any_drill = kind("drill", "hammer drill")
bath_faucet = kind("bath faucet")
faucet_parts = kind("drain", "supply line", "aerator", "deck plate")
adult_running = both(kind("running shoe"), has("gender", "men", "women"))
mens_running = both(kind("running shoe"), has("gender", "men"))
womens_running = both(kind("running shoe"), has("gender", "women"))
led_bulb = kind("bulb", "smart bulb")
paint_can = kind("paint")
paint_supplies = kind("roller cover", "roller frame", "tray", "bucket grid", "brush", "drop cloth", "tape")
usbc_cable = both(kind("cable"), has("conn", "C-C"))

QUERIES: list[Query] = [
    # Power tools
    Query("cordless drill", exact=cordless_drill,
          sub=lambda p: contains("drill")(p) or (any_drill(p) and p.get("power") == "corded"),
          comp=kind("battery", "charger", "drill bits", "impact driver"),
          neg=kind("oscillating tool", "jigsaw", "circular saw")),
    Query("voltaris 20v drill", exact=both(brand("Voltaris"), any_drill),
          sub=lambda p: (p.brand == "Voltaris" and contains("drill")(p)) or any_drill(p),
          comp=both(brand("Voltaris"), kind("battery", "charger", "drill bits")),
          neg=both(brand("Voltaris"), kind("impact driver", "circular saw"))),
    Query("VDD771C2", exact=model("VDD771C2"), sub=model("VDD771C1", "VDD771B"),
          comp=both(brand("Voltaris"), kind("battery", "charger", "drill bits")),
          neg=both(cordless_drill, lambda p: p.brand != "Voltaris")),
    Query("18v battery", exact=both(kind("battery"), has("volt", "18V")),
          comp=both(kind("charger"), has("volt", "18V")),
          neg=lambda p: p.kind == "battery" or (p.get("volt") == "18V" and p.kind != "charger")),
    Query("impact driver kit", exact=both(kind("impact driver"), has("kit")),
          sub=lambda p: p.kind == "impact driver" or contains("impact driver")(p),
          comp=kind("driver bits"), neg=kind("drill")),
    Query("7 1/4 circular saw", exact=both(kind("circular saw"), has("blade", "7-1/4")),
          sub=lambda p: p.kind == "circular saw" or contains("circular saw")(p), comp=kind("saw blade"),
          neg=kind("jigsaw", "oscillating tool", "combo kit")),
    Query("hamer drill", exact=kind("hammer drill"), sub=kind("drill"),
          comp=kind("drill bits"), neg=kind("impact driver", "driver bits")),
    Query("kx18dd2k", exact=model("KX18DD2K"), sub=model("KX18DD0", "KX18HD2K"),
          comp=both(brand("Korvex"), kind("battery", "charger")),
          neg=both(kind("drill"), lambda p: p.brand != "Korvex")),
    # Kitchen appliances
    Query("stand mixer", exact=kind("stand mixer"), sub=kind("hand mixer"), comp=kind("mixer accessory"),
          neg=kind("blender", "food processor")),
    Query("red stand mixer", exact=both(kind("stand mixer"), has("red")), sub=kind("stand mixer", "hand mixer"),
          comp=kind("mixer accessory"), neg=has("red")),
    Query("air fryer 5.8 qt", exact=both(kind("air fryer"), has("qt", 5.8)), sub=kind("air fryer", "air fryer oven"),
          comp=kind("air fryer accessory"), neg=kind("toaster oven", "pressure cooker", "slow cooker")),
    Query("2 slice toaster", exact=both(kind("toaster"), has("slices", 2)), sub=kind("toaster", "toaster oven"),
          neg=kind("air fryer", "air fryer oven", "microwave")),
    Query("12 cup coffee maker", exact=both(kind("coffee maker"), has("cups", 12)),
          sub=kind("coffee maker", "pod coffee maker", "espresso machine"), comp=kind("coffee accessory"),
          neg=kind("kettle")),
    Query("gooseneck electric kettle", exact=both(kind("kettle"), has("gooseneck")), sub=kind("kettle"),
          neg=kind("coffee maker", "pod coffee maker", "espresso machine")),
    Query("blendr", exact=kind("blender", "personal blender"), sub=kind("food processor", "food chopper"),
          comp=kind("blender accessory"), neg=kind("stand mixer", "hand mixer")),
    Query("something to make smoothies i can take to the gym", exact=kind("personal blender"), sub=kind("blender"),
          neg=kind("food processor", "food chopper", "kettle")),
    # Bathroom faucets
    Query("brushed nickel bathroom faucet", exact=both(bath_faucet, has("finish", "BN")), sub=bath_faucet,
          comp=faucet_parts, neg=lambda p: p.get("finish") == "BN" or p.kind == "vanity light"),
    Query("matte black vessel sink faucet", exact=both(bath_faucet, has("mount", "vessel"), has("finish", "MB")),
          sub=lambda p: bath_faucet(p) and (p.get("mount") == "vessel" or p.get("finish") == "MB"),
          comp=faucet_parts, neg=has("finish", "MB")),
    Query("8 in widespread bathroom faucet", exact=both(bath_faucet, has("mount", "widespread")), sub=bath_faucet,
          comp=faucet_parts, neg=kind("vanity light")),
    Query("AQ-4410-BN", exact=model("AQ-4410-BN"), sub=has("family", "AQ-4410"),
          comp=faucet_parts, neg=both(bath_faucet, has("finish", "BN"))),
    Query("touchless bathroom faucet", exact=both(bath_faucet, has("touchless")),
          sub=both(bath_faucet, has("mount", "single-hole")), comp=faucet_parts,
          neg=lambda p: bool(p.get("motion")) or (bath_faucet(p) and p.get("mount") != "single-hole")),
    Query("bathroom fawcet oil rubbed bronze", exact=both(bath_faucet, has("finish", "ORB")), sub=bath_faucet,
          comp=faucet_parts, neg=kind("vanity light")),
    Query("pop up drain", exact=kind("drain"), comp=kind("bath faucet"),
          neg=kind("supply line", "aerator", "deck plate")),
    # Outdoor furniture
    Query("adirondack chair", exact=kind("adirondack chair"), sub=kind("folding chair"),
          comp=lambda p: p.get("covers") == "adirondack chair" or p.get("fits") == "adirondack",
          neg=kind("chaise lounge", "side table", "porch swing")),
    Query("white resin adirondack chair",
          exact=both(kind("adirondack chair"), has("material", "poly"), lambda p: p.color == "White"),
          sub=kind("adirondack chair"),
          comp=lambda p: p.get("covers") == "adirondack chair" or p.get("fits") == "adirondack",
          neg=lambda p: p.color == "White"),
    Query("9 ft patio umbrella", exact=both(kind("umbrella"), has("size_ft", 9)), sub=kind("umbrella"),
          comp=lambda p: p.kind == "umbrella base" or p.get("covers") == "umbrella",
          neg=kind("dining set", "bistro set")),
    Query("7 piece patio dining set", exact=both(kind("dining set"), has("pieces", 7)), sub=kind("dining set"),
          comp=lambda p: p.get("covers") == "dining set" or (p.kind == "cushion" and "Dining" in p.title),
          neg=kind("conversation set", "bistro set")),
    Query("navy outdoor chair cushions", exact=both(kind("cushion"), lambda p: p.color == "Navy"),
          sub=kind("cushion"), comp=kind("adirondack chair", "folding chair"),
          neg=lambda p: p.color in ("Navy", "Midnight Navy") or p.kind == "conversation set"),
    Query("waterproof cover for my patio table and chairs", exact=has("covers", "dining set"),
          sub=has("covers", "adirondack chair"), neg=lambda p: p.kind in ("cover", "dining set", "pouch")),
    Query("porch swing", exact=kind("porch swing"), comp=kind("swing accessory"),
          neg=kind("adirondack chair", "chaise lounge")),
    # Paint
    Query("white interior paint 5 gallon",
          exact=both(paint_can, has("use", "interior"), has("white"), has("vol", "5 gal.")),
          sub=both(paint_can, has("use", "interior"), has("white")),
          comp=lambda p: p.kind in ("roller cover", "roller frame", "tray", "bucket grid")
          or (p.kind == "primer" and p.get("vol") == "5 gal."),
          neg=lambda p: p.get("vol") == "5 gal." or (paint_can(p) and p.get("use") == "exterior")),
    Query("eggshell paint", exact=both(paint_can, has("sheen", "eggshell")), sub=both(paint_can, has("use", "interior")),
          comp=paint_supplies, neg=lambda p: paint_can(p) or p.kind == "spray paint"),
    Query("painters tape", exact=kind("tape"), comp=kind("drop cloth", "brush", "roller cover"),
          neg=kind("spray paint", "tray")),
    Query("9 in roller cover 3/8 nap", exact=both(kind("roller cover"), has("nap", "3/8")), sub=kind("roller cover"),
          comp=kind("roller frame", "tray", "bucket grid"), neg=kind("brush", "tape")),
    Query("black spray paint", exact=both(kind("spray paint"), has("black")), sub=kind("spray paint"),
          neg=lambda p: p.kind == "paint" or p.color in ("Black", "Matte Black")),
    Query("deck stain", exact=kind("stain"), sub=both(paint_can, has("use", "exterior")),
          comp=kind("brush", "roller cover"), neg=kind("primer", "paint")),
    Query("primer that blocks water stains on the ceiling", exact=both(kind("primer"), has("stain_blocking")),
          sub=kind("primer"), comp=lambda p: bool(p.get("ceiling")) or p.kind in ("roller cover", "roller frame"),
          neg=kind("stain", "paint")),
    Query("midnite navy paint", exact=both(paint_can, has("navy")),
          sub=lambda p: paint_can(p) and not p.get("white"),  # another colour, not a white
          neg=lambda p: p.color == "Navy" or (paint_can(p) and bool(p.get("white")))),
    # Lighting
    Query("60w led bulb", exact=both(led_bulb, has("watt_eq", 60)), sub=led_bulb, comp=kind("dimmer"),
          neg=kind("flush mount", "recessed", "under cabinet")),
    Query("daylight led bulbs 5000k", exact=both(led_bulb, has("temp", "5000K")), sub=led_bulb,
          neg=lambda p: p.kind in ("flood light", "recessed", "flush mount")),
    Query("brushed nickel vanity light", exact=both(kind("vanity light"), has("finish", "BN")),
          sub=kind("vanity light"), comp=both(kind("bulb"), has("shape", "A19")),
          neg=lambda p: p.get("finish") == "BN"),
    Query("motion sensor outdoor light", exact=both(kind("flood light"), has("motion")), sub=kind("wall lantern"),
          comp=both(kind("bulb"), has("outdoor")),
          neg=lambda p: p.kind in ("string lights", "flush mount") or bool(p.get("touchless"))),
    Query("flush mount ceiling light", exact=kind("flush mount"), sub=kind("pendant", "chandelier", "recessed"),
          neg=kind("vanity light", "wall lantern", "table lamp", "under cabinet")),
    Query("farmhouse chandelier black",
          exact=both(kind("chandelier"), has("farmhouse"), lambda p: p.color == "Matte Black"),
          sub=kind("chandelier", "pendant"), comp=both(kind("bulb"), has("candelabra")),
          neg=kind("vanity light", "flush mount", "wall lantern", "table lamp")),
    Query("recesed lights 6 inch", exact=both(kind("recessed"), has("size_in", "6")), sub=kind("recessed"),
          comp=kind("dimmer"), neg=lambda p: p.kind == "flush mount" or p.get("shape") == "BR30"),
    Query("under cabinet lighting", exact=kind("under cabinet"), neg=kind("recessed", "flush mount", "string lights")),
    # Phone accessories
    Query("iphone 15 case", exact=both(kind("case"), has("compat", "iPhone 15")),
          comp=lambda p: (p.kind == "screen protector" and p.get("compat") == "iPhone 15") or bool(p.get("magsafe")),
          neg=lambda p: p.kind == "case" or p.get("compat") == "iPhone 15 Pro"),
    Query("usb c cable 6ft", exact=both(usbc_cable, has("length_ft", 6)),
          sub=lambda p: usbc_cable(p) or (p.kind == "cable" and p.get("conn") == "A-C"),
          comp=kind("wall charger"), neg=kind("cable", "car charger")),
    Query("20w usb c charger", exact=both(kind("wall charger"), has("watts", 20)),
          sub=kind("wall charger", "car charger"), comp=usbc_cable,
          neg=kind("wireless charger", "power bank", "cable")),
    Query("power bank 20000mah", exact=both(kind("power bank"), has("mah", 20000)), sub=kind("power bank"),
          comp=usbc_cable, neg=kind("wireless charger", "wall charger")),
    Query("galaxy s24 screen protector", exact=both(kind("screen protector"), has("compat", "Galaxy S24")),
          comp=both(kind("case"), has("compat", "Galaxy S24")), neg=kind("screen protector", "case")),
    Query("wireles earbuds", exact=kind("earbuds"), sub=kind("headphones"),
          neg=kind("wireless charger", "power bank")),
    Query("rugged case for iphone 15 pro that protects against drops",
          exact=both(kind("case"), has("compat", "iPhone 15 Pro"), has("style", "rugged")),
          sub=both(kind("case"), has("compat", "iPhone 15 Pro")),
          comp=both(kind("screen protector"), has("compat", "iPhone 15 Pro")),
          neg=lambda p: p.kind == "case" or p.kind == "pouch"),
    # Running shoes
    Query("mens running shoes", exact=mens_running, sub=both(kind("walking shoe"), has("gender", "men")),
          comp=kind("socks", "insoles", "laces"), neg=lambda p: womens_running(p) or p.get("gender") == "kids"),
    Query("womens running shoes size 8", exact=both(womens_running, has("size", "8")),
          sub=lambda p: womens_running(p) or (p.kind == "cross-trainer" and p.get("gender") == "women"),
          comp=kind("socks"), neg=mens_running),
    Query("stridewell cloudpath 5", exact=has("line", "Cloudpath 5 Road Running Shoe"),
          comp=both(brand("Stridewell"), kind("socks")), neg=adult_running),
    Query("wide running shoes men", exact=both(mens_running, has("wide")), sub=mens_running,
          neg=lambda p: womens_running(p) or p.kind == "walking shoe"),
    Query("trail running shoes", exact=both(kind("running shoe"), has("style", "trail")), sub=adult_running,
          neg=kind("walking shoe", "cross-trainer")),
    Query("runing shoes womens", exact=womens_running,
          sub=both(kind("cross-trainer"), has("gender", "women")), comp=kind("socks"), neg=mens_running),
    Query("lightweight racing shoes for a 5k", exact=both(kind("running shoe"), has("style", "racing")),
          sub=adult_running, neg=kind("cross-trainer", "walking shoe", "running belt")),
]

# Shopper-style words that carry no product meaning, ignored when looking for look-alike products.
STOPWORDS = {"a", "an", "and", "the", "for", "of", "in", "to", "my", "i", "can", "that", "with", "on", "it",
             "something", "make", "take", "against", "protects", "inch", "ft", "qt"}


def tokens(text: str) -> set[str]:
    return {t for t in re.findall(r"[a-z0-9]+", text.lower()) if t not in STOPWORDS and len(t) > 1}


def order_key(*parts: str) -> str:
    return hashlib.sha256("|".join((SEED, *parts)).encode()).hexdigest()


MAX_JUDGED = 20
ZERO_TARGET = 4  # judged-irrelevant products per query (more when there are few relevant ones)
MAX_COMPLEMENTS = 4


def judge(query: Query, items: list[Item]) -> dict[str, int]:
    """Pick the products to judge for one query and their gains, by the query's rules."""
    graded = {p.pid: query.grade(p) for p in items}
    by_gain = {g: sorted((p for p in items if graded[p.pid] == g), key=lambda p: order_key(query.qid, p.pid))
               for g in (3, 2, 1, 0)}
    exact = by_gain[3]
    if not exact:
        raise SystemExit(f"{query.qid} {query.text!r}: no exact match")
    room = MAX_JUDGED - ZERO_TARGET
    if len(exact) > room:
        raise SystemExit(f"{query.qid} {query.text!r}: {len(exact)} exact matches, more than {room}")
    subs = by_gain[2][: room - len(exact) - min(len(by_gain[1]), 2)]  # leave room for two complements
    comps = by_gain[1][: min(MAX_COMPLEMENTS, room - len(exact) - len(subs))]
    relevant = len(exact) + len(subs) + len(comps)
    n_zero = min(max(ZERO_TARGET, 10 - relevant), MAX_JUDGED - relevant)

    # Irrelevant products worth judging, most tempting first: the rule's named look-alikes, products
    # sharing words with the query, others from the same category, then anything else.
    q_tokens = tokens(query.text)
    categories = {p.category for p in exact}

    def tier(p: Item) -> int:
        if query.neg(p):
            return 0
        if q_tokens & tokens(p.title):
            return 1
        return 2 if p.category in categories else 3

    zeros = sorted(by_gain[0], key=lambda p: (tier(p), order_key(query.qid, p.pid)))[:n_zero]
    return {p.pid: graded[p.pid] for p in (*exact, *subs, *comps, *zeros)}


# --------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------


def build() -> tuple[list[Item], list[Query], dict[str, dict[str, int]], dict[str, str]]:
    ITEMS.clear()
    for section in (power_tools, kitchen, faucets, outdoor, paint, lighting, phone, shoes):
        section()
    items = sorted(ITEMS, key=lambda p: order_key("product", str(p.n), p.title))
    for i, p in enumerate(items, start=1):
        p.pid = f"P{i:04d}"
    models = [p.get("model") for p in items]
    assert len(set(models)) == len(models), "model numbers must be unique"

    qrels: dict[str, dict[str, int]] = {}
    split: dict[str, str] = {}
    for i, q in enumerate(QUERIES):
        q.qid = f"Q{i + 1:03d}"
        qrels[q.qid] = judge(q, items)
        split[q.qid] = "test" if i % 3 == 2 else "train"  # every third query is held out
    return items, QUERIES, qrels, split


def jsonl(records: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def render(items: list[Item], queries: list[Query], qrels: dict[str, dict[str, int]],
           split: dict[str, str]) -> dict[str, str]:
    corpus = [{"_id": p.pid, "title": p.title, "text": p.text,
               "metadata": {"brand": p.brand, "bullets": p.bullets, "color": p.color, "category": p.category}}
              for p in items]
    files = {
        "corpus.jsonl": jsonl(corpus),
        "queries.jsonl": jsonl([{"_id": q.qid, "text": q.text} for q in queries]),
    }
    for name in ("train", "test"):
        lines = ["query-id\tcorpus-id\tscore"]
        for qid in sorted(qrels):
            if split[qid] != name:
                continue
            for pid, gain in sorted(qrels[qid].items(), key=lambda kv: (-kv[1], kv[0])):
                lines.append(f"{qid}\t{pid}\t{gain}")
        files[f"qrels/{name}.tsv"] = "\n".join(lines) + "\n"
    files["README.md"] = readme(items, queries, qrels, split)
    return files


def readme(items: list[Item], queries: list[Query], qrels: dict[str, dict[str, int]], split: dict[str, str]) -> str:
    cats: dict[str, int] = {}
    for p in items:
        cats[p.category] = cats.get(p.category, 0) + 1
    per_split = {s: sum(1 for q in split.values() if q == s) for s in ("train", "test")}
    judged_split = {s: sum(len(qrels[q]) for q in qrels if split[q] == s) for s in ("train", "test")}
    gains = {g: sum(1 for docs in qrels.values() for v in docs.values() if v == g) for g in (3, 2, 1, 0)}
    n_judged = sum(len(d) for d in qrels.values())
    cat_lines = "\n".join(f"| {name} | {n} |" for name, n in sorted(cats.items()))
    return f"""# shopbench demo collection

A small **synthetic** product-search test collection, written for shopbench and bundled with it so
that `bench` can be tried offline (`bench data info demo`). Every brand, model number, product,
query and judgement was invented for this project; nothing is copied or scraped from a real
catalog, store or dataset. Third-party phone names (iPhone, Galaxy) appear only to say what an
accessory fits. It is a smoke-test and demo set, far too small for conclusions about real systems.

Generated by `scripts/make_demo_catalog.py` (deterministic, standard library only); edit the
script and rerun it rather than editing these files by hand.

## Format

BEIR layout:

- `corpus.jsonl`: one product per line, `{{"_id", "title", "text", "metadata": {{"brand", "bullets", "color", "category"}}}}`;
  `text` is a short description.
- `queries.jsonl`: one query per line, `{{"_id", "text"}}`.
- `qrels/train.tsv`, `qrels/test.tsv`: `query-id<TAB>corpus-id<TAB>score` with a header line.
  Each query is judged in exactly one split (every third query is in `test`).

## Counts

- Products: {len(items)}
- Queries: {len(queries)} ({per_split["train"]} train, {per_split["test"]} test)
- Judgements: {n_judged} ({judged_split["train"]} train, {judged_split["test"]} test);
  per gain: 3 = {gains[3]}, 2 = {gains[2]}, 1 = {gains[1]}, 0 = {gains[0]}

| Category | Products |
|---|---|
{cat_lines}

## Gains

| Score | Meaning |
|---|---|
| 3 | Exact: the product is what the query asks for |
| 2 | Substitute: misses some aspect (size, colour, brand, type) but could serve the same need |
| 1 | Complement: an accessory or companion product (battery for a drill, drain for a faucet) |
| 0 | Irrelevant (judged) |

Judgements come from explicit per-query rules over product attributes (category, type, brand,
size, finish, compatibility), not from sampling labels. Every query has at least one product with
gain 3. Judged-irrelevant products are chosen to be tempting look-alikes (same words, same
category). Unjudged products count as irrelevant, as usual for pooled collections, so a few
substitutes and accessories are deliberately left unjudged when a query has many.

## What makes it hard

Brands, units and sizes (`18V`, `1/2 in.`, `5 gal.`, `60-Watt`), invented model numbers
(`VDD771C2`, `AQ-4410-BN`), colours and finishes, near-duplicates that differ only in size, pack
or colour, accessories next to main products (batteries vs. drills), several products with
identical titles (different ids, so rankings tie), misspelled queries (`hamer drill`, `blendr`),
and a few long natural-language queries.

## Licence

MIT, the same as shopbench.
"""


def check(items: list[Item], queries: list[Query], qrels: dict[str, dict[str, int]], split: dict[str, str]) -> None:
    titles: dict[str, int] = {}
    for p in items:
        titles[p.title] = titles.get(p.title, 0) + 1
    assert sum(1 for n in titles.values() if n > 1) >= 5, "want several identical-title groups"
    for q in queries:
        judged = qrels[q.qid]
        assert 8 <= len(judged) <= MAX_JUDGED, (q.qid, len(judged))
        assert max(judged.values()) == 3, q.qid
        assert 0 in judged.values(), q.qid
    assert sorted(split.values()).count("test") == len(queries) // 3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: %(default)s)")
    parser.add_argument("--check", action="store_true", help="only report whether the files are up to date")
    parser.add_argument("--show", metavar="QID", help="print one query's judgements with titles and exit")
    args = parser.parse_args(argv)

    items, queries, qrels, split = build()
    check(items, queries, qrels, split)
    if args.show:
        q = next(q for q in queries if q.qid == args.show)
        by_id = {p.pid: p for p in items}
        print(f"{q.qid} [{split[q.qid]}] {q.text}")
        for pid, gain in sorted(qrels[q.qid].items(), key=lambda kv: (-kv[1], kv[0])):
            print(f"  {gain} {pid} {by_id[pid].title} [{by_id[pid].color}]")
        return 0

    files = render(items, queries, qrels, split)
    stale = []
    for rel, content in files.items():
        path = args.out / rel
        data = content.encode("utf-8")
        if path.exists() and path.read_bytes() == data:
            continue
        stale.append(rel)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    if args.check:
        print("up to date" if not stale else "out of date: " + ", ".join(stale))
        return 1 if stale else 0
    print(f"{len(items)} products, {len(queries)} queries, {sum(len(d) for d in qrels.values())} judgements "
          f"-> {args.out}" + (f" (rewrote {', '.join(stale)})" if stale else " (unchanged)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
