"""Read statements/<slug>/ folders into validated Statements, recording every problem at once."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from pipeline.errors import InputError, Problems
from pipeline.fsutil import content_file, inside
from pipeline.images import EXTENSIONS, read_image
from pipeline.markup import html_to_text, markdown_to_html
from pipeline.readers import read_front_matter, read_text, read_toml, validate
from pipeline.structure.config import Config
from pipeline.structure.slug import slug_problem
from pipeline.structure.statement import (
    STATEMENT_FILE,
    STATEMENTS_DIR,
    Statement,
    StatementFile,
    StatementFront,
    StatementText,
    excerpt,
)
from pipeline.structure.translations import Member, check_language

_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)


def statement_folders(config: Config) -> list[Path]:
    """Return the folders under statements/, sorted; '.' and '_' folders are ignored."""
    base = config.root / STATEMENTS_DIR
    if not base.is_dir():
        return []
    return sorted(p for p in base.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def load_statements(
    config: Config, problems: Problems, warnings: list[str]
) -> tuple[Statement, ...]:
    """Read every statement; record problems (not raising) and warnings."""
    found = (_load(folder, config, problems, warnings) for folder in statement_folders(config))
    return tuple(sorted((s for s in found if s), key=lambda s: (s.moment, s.slug), reverse=True))


def _load(
    folder: Path, config: Config, problems: Problems, warnings: list[str]
) -> Statement | None:
    before = len(problems.items)
    path = folder / STATEMENT_FILE
    if why := slug_problem(folder.name):
        problems.add(folder, "slug", why)
        return None
    if not inside(folder, config.root):
        problems.add(folder, "", "the statement folder is a link to a folder outside the tree")
        return None
    if not path.is_file():
        problems.add(path, "", f"missing {STATEMENT_FILE} in a statement folder")
        return None
    data = read_toml(path, problems)
    meta = validate(StatementFile, data, path, problems) if data is not None else None
    languages = config.site.all_languages
    texts = [
        t
        for f in sorted(folder.glob("*.md"))
        if (t := _text(f, folder, config.root, languages, problems, warnings))
    ]
    if not any(folder.glob("*.md")):
        problems.add(
            folder,
            "",
            "a statement needs at least one language: add en.md, fr.md, es.md… with a title",
        )
    if meta is None or len(problems.items) > before:
        return None
    original = meta.original or _default_original(texts, languages)
    if not any(t.lang.lower() == original.lower() for t in texts):
        problems.add(path, "original", f"{original!r}: there is no {original}.md in the folder")
        return None
    image = _image(folder, meta.image, config.root, path, problems) if meta.image else None
    if len(problems.items) > before:
        return None
    texts.sort(key=lambda t: (t.lang.lower() != original.lower(), t.lang))
    return Statement(
        slug=folder.name,
        folder=folder,
        date=meta.date,
        original=texts[0].lang,
        draft=meta.draft,
        image=image,
        texts=tuple(texts),
    )


def _default_original(texts: list[StatementText], languages: Sequence[str]) -> str:
    """Return the original language when none is named: the first the site lists, else A-Z."""
    for lang in languages:
        if any(t.lang.lower() == lang.lower() for t in texts):
            return lang
    return texts[0].lang if texts else languages[0]


def _text(
    file: Path,
    folder: Path,
    root: Path,
    languages: Sequence[str],
    problems: Problems,
    warnings: list[str],
) -> StatementText | None:
    """Read one language file: its name is its language, its front matter its title."""
    lang = file.stem
    if not check_language(lang, languages, file, "language", problems, warnings):
        return None
    try:
        content_file(folder, file.name, root)
    except InputError as exc:
        problems.add(file, "", str(exc))
        return None
    text = read_text(file, problems)
    parts = read_front_matter(text, file, problems) if text is not None else None
    if parts is None:
        return None
    data, body, _ = parts
    front = validate(StatementFront, data, file, problems)
    if front is None:
        return None
    html = markdown_to_html(body)
    first = _FIRST_PARAGRAPH.search(html)
    summary = front.summary or excerpt(html_to_text(first.group(1)) if first else "")
    return StatementText(
        lang=lang,
        file=file,
        title=front.title.strip(),
        summary=summary.strip(),
        signatories=tuple(front.signatories),
        html=html,
    )


def _image(folder: Path, name: str, root: Path, where: Path, problems: Problems) -> Path | None:
    """Return the statement's image if it is a JPEG or PNG inside the folder; record why not."""
    try:
        path = content_file(folder, name, root)
        info = read_image(path)
    except (InputError, ValueError) as exc:
        problems.add(where, "image", f"{name}: {exc}")
        return None
    if info.format not in EXTENSIONS:
        problems.add(where, "image", f"{name}: must be JPEG or PNG, not {info.format}")
        return None
    return path


def statement_members(statements: Sequence[Statement]) -> list[Member]:
    """Return every language of every statement as translation members (original first)."""
    members = []
    for s in statements:
        original = s.texts[0].key(s.slug)
        for t in s.texts:
            key = t.key(s.slug)
            members.append(
                Member(
                    kind="statement",
                    key=key,
                    lang=t.lang,
                    where=t.file,
                    translation_of=None if key == original else original,
                    field="language",
                    language_checked=True,
                )
            )
    return members
