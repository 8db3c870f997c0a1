#!/usr/bin/env python3
"""Fills perfwatch_en.ts (plural forms only) from the source texts: "%n key(s)" -> "%n key", "%n keys".

Run by `cmake --build build/dev --target perfwatch_views_lupdate_plurals`, after lupdate -pluralonly
has added the new plural messages (unfinished) to perfwatch_en.ts; every plural message is rewritten.
"""
import re
import sys
from pathlib import Path

path = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).with_name("perfwatch_en.ts"))
text = path.read_text(encoding="utf-8")


def fill(match):
    source = match.group(1)
    unescaped = source
    one = re.sub(r"\(s\)", "", unescaped)
    many = re.sub(r"\(s\)", "s", unescaped)
    return (f"<source>{source}</source>\n        <translation>\n"
            f"            <numerusform>{one}</numerusform>\n"
            f"            <numerusform>{many}</numerusform>\n        </translation>")


text = re.sub(r"<source>(.*?)</source>\s*<translation[^>]*>\s*<numerusform>.*?</numerusform>\s*"
              r"<numerusform>.*?</numerusform>\s*</translation>", fill, text, flags=re.S)
path.write_text(text, encoding="utf-8")
