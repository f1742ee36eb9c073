"""Both languages are complete: every string the code ships is in the English
catalogue (Chinese is the source language), the catalogues are compiled, and
no template carries text outside a translation tag."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
APPS = [
    "departments",
    "requests_sla",
    "pipeline",
    "finance",
    "pricing",
    "enablement",
    "roadmap",
    "incentives",
]
SOURCE_DIRS = [ROOT / "collab", ROOT / "templates", *(ROOT / a for a in APPS)]
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")


def catalogues() -> list[Path]:
    return [p for p in ROOT.glob("**/locale/en/LC_MESSAGES/django.po") if ".venv" not in p.parts]


def _entries(po: Path):
    text = po.read_text(encoding="utf-8")
    # makemessages --no-location may glue the first entry to the header.
    text = re.sub(r'(^"[^\n]*\n)(?=(#|msgctxt |msgid ))', r"\1\n", text, flags=re.M)
    for block in re.split(r"\n\s*\n", text)[1:]:
        ctx = re.search(r'^msgctxt ((?:".*"\n?)+)', block, re.M)
        ids = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        strs = re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', block, re.M)
        if not ids or block.lstrip().startswith("#~"):
            continue
        unquote = lambda s: "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', s))  # noqa: E731
        context = unquote(ctx.group(1)) if ctx else None
        yield unquote(ids.group(1)), [unquote(s) for s in strs], "#, fuzzy" in block, context


def known_msgids() -> set[str]:
    return {msgid.replace('\\"', '"') for po in catalogues() for msgid, _, _, _ in _entries(po)}


def source_files(*suffixes):
    for base in SOURCE_DIRS:
        for path in base.rglob("*"):
            if (
                path.suffix in suffixes
                and "tests" not in path.parts
                and "migrations" not in path.parts
            ):
                yield path


def test_every_english_translation_is_filled_in_and_not_fuzzy():
    problems = [
        f"{po.relative_to(ROOT)}: {msgid!r}"
        for po in catalogues()
        for msgid, strs, fuzzy, _ in _entries(po)
        if fuzzy or not all(strs)
    ]
    assert not problems, "untranslated:\n" + "\n".join(problems)


def test_every_string_in_code_and_templates_is_in_the_catalogue():
    patterns = [
        re.compile(
            r'(?<![\w.])(?:_|gettext|gettext_lazy|pgettext_lazy|ngettext)\(\s*"((?:[^"\\]|\\.)+)"'
        ),
        re.compile(r'\{%\s*(?:translate|trans)\s+"((?:[^"\\]|\\.)+)"'),
        re.compile(r"\{%\s*(?:translate|trans)\s+'((?:[^'\\]|\\.)+)'"),
    ]
    known = known_msgids()
    missing = []
    for path in source_files(".py", ".html", ".txt"):
        text = path.read_text(encoding="utf-8")
        for pattern in patterns:
            for msgid in pattern.findall(text):
                msgid = msgid.replace('\\"', '"')
                # A string continued on the next line ("a" "b") is caught up to
                # its first line: then it must start a known message.
                if (
                    CJK.search(msgid)
                    and msgid not in known
                    and not any(k.startswith(msgid) for k in known)
                ):
                    missing.append(f"{path.relative_to(ROOT)}: {msgid}")
    assert not missing, "run `make messages` and translate:\n" + "\n".join(missing)


def test_a_message_has_one_english_translation_across_catalogues():
    """Django merges every app's catalogue into one per language, so the same
    (msgctxt, msgid) can only have one English text: a second app translating
    it differently silently shows the first app's word. A different meaning
    takes a context (pgettext / {% translate "…" context "…" %})."""
    seen: dict[tuple[str | None, str], dict[str, tuple[str, ...]]] = {}
    for po in catalogues():
        for msgid, strs, _, context in _entries(po):
            seen.setdefault((context, msgid), {})[str(po.relative_to(ROOT))] = tuple(strs)
    conflicts = [f"{key}: {by_po}" for key, by_po in seen.items() if len(set(by_po.values())) > 1]
    assert not conflicts, "one message, two English texts:\n" + "\n".join(conflicts)


def test_every_context_used_in_code_and_templates_is_in_a_catalogue():
    patterns = [
        re.compile(r'(?<![\w.])(?:pgettext|pgettext_lazy)\(\s*"([^"]+)",\s*"((?:[^"\\]|\\.)+)"'),
        re.compile(r'\{%\s*translate\s+"((?:[^"\\]|\\.)+)"\s+context\s+"([^"]+)"'),
        re.compile(r"\{%\s*translate\s+'((?:[^'\\]|\\.)+)'\s+context\s+'([^']+)'"),
    ]
    known = {(context, msgid) for po in catalogues() for msgid, _, _, context in _entries(po)}
    missing = []
    for path in source_files(".py", ".html", ".txt"):
        text = path.read_text(encoding="utf-8")
        for i, pattern in enumerate(patterns):
            for a, b in pattern.findall(text):
                context, msgid = (a, b) if i == 0 else (b, a)
                if CJK.search(msgid) and (context, msgid) not in known:
                    missing.append(f"{path.relative_to(ROOT)}: msgctxt {context!r} {msgid}")
    assert not missing, "add a msgctxt entry to the app's catalogue:\n" + "\n".join(missing)


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="needs GNU gettext (msgfmt)")
def test_compiled_catalogues_are_up_to_date(tmp_path):
    for po in catalogues():
        mo = po.with_suffix(".mo")
        assert mo.exists(), f"{mo} missing: run make messages"
        fresh = tmp_path / "fresh.mo"
        subprocess.run(["msgfmt", "-o", str(fresh), str(po)], check=True)
        assert fresh.read_bytes() == mo.read_bytes(), f"{mo} is stale: run make messages"


ALLOWED_TEXT = re.compile(r"^[\s\d·•|/:×✓☰→←↑↓*()\[\]%+\-–—.,;#&!?@<>=\"']*$")
LITERAL_ATTRS = re.compile(r'\b(placeholder|title|aria-label|alt)="([^"{]*[^\W\d_][^"{]*)"', re.U)


def template_files():
    for base in SOURCE_DIRS:
        for path in base.rglob("*.html"):
            if path.name != "500.html":  # rendered without Django; carries both languages
                yield path


def visible_literal_text(source: str) -> list[str]:
    """Words a person would see that no translation tag wraps."""
    source = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", "", source, flags=re.S)
    source = re.sub(
        r"{%\s*blocktrans(late)?\b.*?{%\s*endblocktrans(late)?\s*%}", "", source, flags=re.S
    )
    source = re.sub(r"{%\s*block \w+_class\s*%}.*?{%\s*endblock\s*%}", "", source, flags=re.S)
    source = re.sub(r"{#.*?#}", "", source)
    source = re.sub(r"{%.*?%}|{{.*?}}", " ", source, flags=re.S)
    bad = [m.group(0) for m in LITERAL_ATTRS.finditer(source)]
    text = re.sub(r"<script.*?</script>|<style.*?</style>", "", source, flags=re.S)
    text = re.sub(r"<[^>]*>", " ", text)
    text = re.sub(r"&[a-z]+;|&#\d+;", " ", text)
    for chunk in text.split():
        if chunk in {"Collab", "English", "中文", "API"} or ALLOWED_TEXT.match(chunk):
            continue
        bad.append(chunk)
    return bad


@pytest.mark.parametrize("path", list(template_files()), ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_have_no_text_outside_translation_tags(path):
    bad = visible_literal_text(path.read_text(encoding="utf-8"))
    assert not bad, f"untranslatable text in {path.name}: {bad}"


def test_the_template_lint_catches_literal_text():
    assert visible_literal_text('<p title="Hello">{% translate "好" %} Oops</p>') == [
        'title="Hello"',
        "Oops",
    ]
    assert visible_literal_text('<a href="{% url "x" %}" class="a b">{{ name }}</a>') == []


@pytest.mark.django_db
def test_english_pages_show_no_chinese_for_an_english_organization(client_for, outsider, other_org):
    """Other Co's data is English, so any CJK on its English pages is an
    untranslated string (except the switcher's own language name)."""
    client = client_for(outsider)
    client.cookies["django_language"] = "en"
    for url in [
        reverse("departments:directory"),
        reverse("departments:settings"),
        reverse("password_change"),
    ]:
        html = client.get(url).content.decode()
        html = html.replace("简体中文", "").replace(">中文<", "><")
        html = re.sub(r"<option[^>]*>[^<]*</option>", "", html)  # data: timezone/department names
        assert not CJK.search(html), f"{url}: {CJK.findall(html)[:10]}"


@pytest.mark.django_db
def test_language_follows_choice_then_organization_then_browser(client_for, teammate, org):
    client = client_for(teammate)
    url = reverse("departments:directory")
    assert "Department directory" in client.get(url).content.decode()  # org default: en
    org.default_language = "zh-hans"
    org.save()
    assert "部门目录" in client.get(url).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": url})
    assert "Department directory" in client.get(url).content.decode()


@pytest.mark.django_db
def test_anonymous_pages_follow_the_browser_language(client):
    en = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    zh = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    assert "Sign in to Collab" in en and "登录 Collab" in zh
