"""Fill empty msgstr entries of a .po file from a JSON dict {msgid: msgstr}.

Usage: python tools/po_fill.py path/to/django.po translations.json
       python tools/po_fill.py path/to/django.po --missing   (list untranslated msgids as JSON)
Chinese is the source language, so msgids are Chinese and msgstrs English.
Plural entries (msgid_plural) take a JSON list [singular, plural].
"""

import json
import re
import sys
from pathlib import Path


def _unquote(lines: list[str]) -> str:
    return "".join(json.loads(line) for line in lines)


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def normalise(text: str) -> str:
    """makemessages --no-location can glue the first entry to the header:
    make sure a blank line precedes every entry."""
    return re.sub(r'(^"[^\n]*\n)(?=(#|msgctxt |msgid ))', r"\1\n", text, flags=re.M)


def parse(text: str) -> list[dict]:
    text = normalise(text)
    entries = []
    for block in re.split(r"\n\s*\n", text.strip("\n")):
        entry = {"raw": block, "fields": {}}
        current = None
        for line in block.splitlines():
            m = re.match(r"^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) (\".*\")$", line)
            if m:
                current = m.group(1)
                entry["fields"][current] = [m.group(2)]
            elif line.startswith('"') and current:
                entry["fields"][current].append(line)
            elif not line.startswith("#"):
                current = None
        entries.append(entry)
    return entries


def render_entry(entry: dict) -> str:
    if "msgid" not in entry["fields"]:  # an obsolete ("#~") entry: kept as it was
        return entry["raw"]
    # "#|" lines (the previous msgid of a fuzzy guess) go with the fuzzy flag.
    comments = [
        line
        for line in entry["raw"].splitlines()
        if line.startswith("#") and not line.startswith("#|")
    ]
    comments = [c for c in comments if not (c.startswith("#,") and "fuzzy" in c)] + [
        c.replace("fuzzy, ", "").replace(", fuzzy", "")
        for c in comments
        if c.startswith("#,") and "fuzzy" in c and c.strip() != "#, fuzzy"
    ]
    out = comments[:]
    for key, lines in entry["fields"].items():
        out.append(f"{key} {lines[0]}")
        out.extend(lines[1:])
    return "\n".join(out)


def main() -> None:
    path = sys.argv[1]
    text = Path(path).read_text(encoding="utf-8")
    entries = parse(text)
    if sys.argv[2] == "--missing":
        missing = {}
        for e in entries[1:]:
            f = e["fields"]
            if "msgid" not in f:
                continue
            strs = [k for k in f if k.startswith("msgstr")]
            if "fuzzy" in e["raw"] or any(not _unquote(f[k]) for k in strs):
                missing[_unquote(f["msgid"])] = ""
        print(json.dumps(missing, ensure_ascii=False, indent=1))
        return
    translations = json.loads(Path(sys.argv[2]).read_text(encoding="utf-8"))
    for e in entries[1:]:
        f = e["fields"]
        if "msgid" not in f:
            continue
        msgid = _unquote(f["msgid"])
        if msgid not in translations:
            continue
        value = translations[msgid]
        if "msgid_plural" in f:
            values = value if isinstance(value, list) else [value, value]
            for i, v in enumerate(values):
                f[f"msgstr[{i}]"] = [_quote(v)]
        else:
            f["msgstr"] = [_quote(value)]
        e["raw"] = "\n".join(line for line in e["raw"].splitlines() if line.strip() != "#, fuzzy")
    header = entries[0]["raw"]
    body = "\n\n".join([header] + [render_entry(e) for e in entries[1:]])
    Path(path).write_text(body + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
