"""``zorgtafel i18n …``: extract, update, compile and check the interface translations.

Dutch is the source language (every msgid is Dutch); each other language has a catalogue
``zorgtafel/translations/<lang>/LC_MESSAGES/messages.po`` with its compiled ``messages.mo``
next to it — both committed, so an installed package needs no build step.

The workflow after adding or changing strings (no database or app needed)::

    zorgtafel i18n update     # extract (babel.cfg) and merge into every .po
    # translate every empty or fuzzy entry, remove the "fuzzy" flag
    zorgtafel i18n compile    # write the .mo files
    zorgtafel i18n check      # what tests/test_i18n.py asserts

``python -m zorgtafel.core.i18n_cli update`` does the same without the console script.
The catalogue is written sorted and with file-only locations, so that two people adding
strings at the same time rarely touch the same lines.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

PACKAGE = Path(__file__).resolve().parents[1]
PROJECT = PACKAGE.parent
MAPPING = PROJECT / "babel.cfg"
TRANSLATIONS = PACKAGE / "translations"
#: the folders extraction looks in (babel.cfg says which files and how)
SOURCES = ("zorgtafel", "worker")
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
COMMENT_TAGS = ("TRANSLATORS:",)


def catalogue_paths() -> list[Path]:
    return sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))


def extract(project: Path = PROJECT) -> Catalog:
    """Every marked string in the code and templates, as a template catalogue."""
    mapping = project / MAPPING.name
    with mapping.open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh, str(mapping))
    template = Catalog(project="Zorgtafel", charset="utf-8", fuzzy=False)

    def only_sources(path: str) -> bool:
        rel = os.path.relpath(path, project)
        top = rel.split(os.sep)[0]
        return top in SOURCES and not any(part.startswith(".") or part == "__pycache__"
                                          for part in rel.split(os.sep))

    for filename, _lineno, message, comments, context in extract_from_dir(
        project, method_map, options_map, keywords=KEYWORDS, comment_tags=COMMENT_TAGS,
        strip_comment_tags=True, directory_filter=only_sources,
    ):
        template.add(message, None, [(filename.replace(os.sep, "/"), None)], auto_comments=comments, context=context)
    return template


def _read(path: Path) -> Catalog:
    locale = path.parent.parent.name
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def _po_bytes(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    write_po(buf, catalog, width=100, sort_output=True, ignore_obsolete=True, include_lineno=False)
    return buf.getvalue()


def mo_bytes(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    return buf.getvalue()


def update(template: Catalog | None = None) -> dict[str, tuple[int, int]]:
    """Merge the extracted strings into every catalogue; {lang: (empty or fuzzy, dropped)}."""
    template = template or extract()
    result = {}
    for path in catalogue_paths():
        catalog = _read(path)
        catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
        todo = sum(1 for m in catalog if m.id and (m.fuzzy or not _translated(m)))
        dropped = len(catalog.obsolete)
        path.write_bytes(_po_bytes(catalog))
        result[path.parent.parent.name] = (todo, dropped)
    return result


def compile_all() -> list[Path]:
    written = []
    for path in catalogue_paths():
        mo = path.with_suffix(".mo")
        data = mo_bytes(_read(path))
        if not mo.exists() or mo.read_bytes() != data:
            mo.write_bytes(data)
        written.append(mo)
    return written


def _translated(message) -> bool:
    if isinstance(message.string, (list, tuple)):
        return all(s.strip() for s in message.string)
    return bool(message.string and message.string.strip())


@dataclass
class Report:
    missing: dict[str, list[str]] = field(default_factory=dict)       # lang -> msgids not in the .po
    untranslated: dict[str, list[str]] = field(default_factory=dict)  # lang -> empty or fuzzy
    placeholders: dict[str, list[str]] = field(default_factory=dict)  # lang -> msgid: error
    stale_mo: list[str] = field(default_factory=list)                 # langs whose .mo is not current
    unused: dict[str, list[str]] = field(default_factory=dict)        # lang -> msgids no longer in the code

    @property
    def ok(self) -> bool:
        return not (any(self.missing.values()) or any(self.untranslated.values())
                    or any(self.placeholders.values()) or self.stale_mo)

    def lines(self) -> list[str]:
        out = []
        for title, data in (("ontbreekt in de catalogus", self.missing), ("niet vertaald of fuzzy", self.untranslated),
                            ("plaatshouders kloppen niet", self.placeholders),
                            ("niet meer in de code (opruimen met update)", self.unused)):
            for lang, ids in sorted(data.items()):
                for msgid in ids:
                    out.append(f"[{lang}] {title}: {msgid!r}")
        for lang in self.stale_mo:
            out.append(f"[{lang}] messages.mo is niet bijgewerkt: draai `zorgtafel i18n compile`")
        return out


def check(template: Catalog | None = None) -> Report:
    template = template or extract()
    report = Report()
    wanted = {(m.id if isinstance(m.id, str) else m.id[0], m.context) for m in template if m.id}
    for path in catalogue_paths():
        lang = path.parent.parent.name
        catalog = _read(path)
        report.missing[lang] = sorted(i for i, c in wanted if catalog.get(i, c) is None)
        report.untranslated[lang] = sorted(
            (m.id if isinstance(m.id, str) else m.id[0]) for m in catalog
            if m.id and (m.id if isinstance(m.id, str) else m.id[0], m.context) in wanted
            and (m.fuzzy or not _translated(m)))
        report.placeholders[lang] = sorted(
            f"{m.id if isinstance(m.id, str) else m.id[0]}: {'; '.join(str(e) for e in errors)}"
            for m, errors in catalog.check() if errors)
        report.unused[lang] = sorted(
            (m.id if isinstance(m.id, str) else m.id[0]) for m in catalog
            if m.id and (m.id if isinstance(m.id, str) else m.id[0], m.context) not in wanted)
        mo = path.with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != mo_bytes(catalog):
            report.stale_mo.append(lang)
    return report


@click.group("i18n")
def i18n():
    """Vertalingen: Nederlands is de brontaal, Engels de tweede taal.

    Na het toevoegen of wijzigen van teksten: `zorgtafel i18n update`, vertaal elke lege of
    fuzzy regel in zorgtafel/translations/en/LC_MESSAGES/messages.po, dan `zorgtafel i18n
    compile` en `zorgtafel i18n check`. Zie babel.cfg.
    """


@i18n.command("update")
def update_command():
    """Teksten uit code en templates halen en in elke catalogus (.po) verwerken."""
    for lang, (todo, dropped) in update().items():
        click.echo(f"{lang}: {todo} te vertalen (nieuw of fuzzy), {dropped} vervallen en verwijderd")
    click.echo("Vertaal de lege en fuzzy regels, draai dan `zorgtafel i18n compile`.")


@i18n.command("compile")
def compile_command():
    """De .po-bestanden compileren tot .mo (fuzzy regels tellen niet mee)."""
    for mo in compile_all():
        click.echo(f"geschreven: {mo.relative_to(PROJECT)}")


@i18n.command("check")
def check_command():
    """Controleren: niets ontbreekt, niets onvertaald, plaatshouders gelijk, .mo actueel."""
    report = check()
    for line in report.lines():
        click.echo(line, err=True)
    if not report.ok:
        raise SystemExit(1)
    click.echo("Vertalingen in orde.")


@i18n.command("init")
@click.argument("lang")
def init_command(lang: str):
    """Een catalogus voor een nieuwe taal aanmaken (daarna: update, vertalen, compile)."""
    path = TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"
    if path.exists():
        raise click.ClickException(f"{path.relative_to(PROJECT)} bestaat al; gebruik `zorgtafel i18n update`.")
    path.parent.mkdir(parents=True, exist_ok=True)
    catalog = Catalog(locale=lang, project="Zorgtafel", charset="utf-8", fuzzy=False)
    path.write_bytes(_po_bytes(catalog))
    click.echo(f"aangemaakt: {path.relative_to(PROJECT)}; draai nu `zorgtafel i18n update`")


@i18n.command("extract")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default="messages.pot", show_default=True)
def extract_command(output: str):
    """Alleen het sjabloon (.pot) schrijven, bijvoorbeeld voor een vertaalbureau."""
    template = extract()
    Path(output).write_bytes(_po_bytes(template))
    click.echo(f"{len(template)} teksten geschreven naar {output}")


if __name__ == "__main__":  # python -m zorgtafel.core.i18n_cli …
    i18n()
