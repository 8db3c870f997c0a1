#!/usr/bin/env python3
"""Fills a .ts file from a Python dictionary {source: translation or (singular, plural)}.

Usage: apply_translations.py perfwatch_de.ts de.py  — messages without an entry stay unfinished.
"""
import runpy
import sys
import xml.etree.ElementTree as ET

ts_path, dict_path = sys.argv[1], sys.argv[2]
d = runpy.run_path(dict_path)
table, by_context = d["T"], d.get("CONTEXT", {})
tree = ET.parse(ts_path)
missing = []
for context in tree.getroot().findall("context"):
    name = context.find("name").text
    for message in context.findall("message"):
        source = message.find("source").text
        translation = message.find("translation")
        value = by_context.get((name, source), table.get(source))
        if value is None:
            missing.append(f"{name}: {source}")
            continue
        if translation.get("type") in ("vanished", "obsolete"):
            continue
        for child in list(translation):
            translation.remove(child)
        translation.text = None
        if message.get("numerus") == "yes":
            forms = value if isinstance(value, tuple) else (value, value)
            translation.text = "\n            "
            for i, form in enumerate(forms):
                f = ET.SubElement(translation, "numerusform")
                f.text = form
                f.tail = "\n            " if i + 1 < len(forms) else "\n        "
        else:
            translation.text = value if isinstance(value, str) else value[0]
        translation.attrib.pop("type", None)
body = ET.tostring(tree.getroot(), encoding="unicode")
with open(ts_path, "w", encoding="utf-8") as f:
    f.write('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n")
for m in missing:
    print("missing:", m)
