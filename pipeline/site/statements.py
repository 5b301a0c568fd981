"""Statements on the site: a list per language, a page per language, an Atom feed per language."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from pipeline.site import structured as ld
from pipeline.site.translations import Links, pick
from pipeline.statements.feed import AtomEntry, atom_feed
from pipeline.structure.layout import (
    statement_file_key,
    statement_page_key,
    statements_feed_key,
    statements_index_key,
)
from pipeline.structure.statement import Statement

if TYPE_CHECKING:
    from pipeline.site.writer import SiteWriter

KIND = "statement"


@dataclass(frozen=True)
class StatementTextView:
    """One language of a statement as its page and its list entry show it."""

    slug: str
    key: str  # among translations: '<slug>/<lang>.md'
    lang: str
    title: str
    summary: str
    signatories: tuple[str, ...]
    html: Markup
    page_key: str


@dataclass(frozen=True)
class StatementView:
    """One statement: its date, image and every language, the original first."""

    slug: str
    date: date | datetime
    moment: datetime
    image_key: str | None
    texts: tuple[StatementTextView, ...]

    def text(self, lang: str) -> StatementTextView:
        """Return the text in lang, else the original (the first)."""
        found = pick({t.lang: t.key for t in self.texts}, lang)
        return next((t for t in self.texts if t.key == found), self.texts[0])


def statement_views(statements: Sequence[Statement], now: datetime) -> list[StatementView]:
    """Return the views of the statements live at now (no drafts, none scheduled), newest first."""
    views = []
    for s in statements:
        if not s.is_live(now):
            continue
        texts = tuple(
            StatementTextView(
                slug=s.slug,
                key=t.key(s.slug),
                lang=t.lang,
                title=t.title,
                summary=t.summary,
                signatories=t.signatories,
                html=Markup(t.html),  # sanitized by markup.markdown_to_html in the reader
                page_key=statement_page_key(s.slug, t.lang),
            )
            for t in s.texts
        )
        image_key = statement_file_key(s.slug, s.image.name) if s.image else None
        views.append(StatementView(s.slug, s.date, s.moment, image_key, texts))
    return views


def feed_languages(views: Sequence[StatementView]) -> list[str]:
    """Return every language some statement is written in, once each, in first-seen order."""
    return list(dict.fromkeys(t.lang for v in views for t in v.texts))


def render_statements(
    w: SiteWriter,
    views: Sequence[StatementView],
    statements: Sequence[Statement],
    links: Links,
    common: dict[str, Any],
) -> None:
    """Render the lists, the pages and the feeds of the statements (nothing if there are none)."""
    if not views:
        return
    default = links.languages[0]
    indexes = {lang: statements_index_key(lang, default) for lang in links.languages}
    for lang, key in indexes.items():
        w.page(
            key,
            "site/statements.html",
            lang,
            alternates=indexes if len(indexes) > 1 else None,
            entries=[(v, v.text(lang)) for v in views],
            structured=ld.script(ld.organization(w.config)),
            **common,
        )
    for s in statements:
        if s.image is not None:
            w.place(s.image, statement_file_key(s.slug, s.image.name))
    for v in views:
        for t in v.texts:
            w.page(
                t.page_key,
                "site/statement.html",
                t.lang,
                alternates=links.alternates(KIND, t.key),
                statement=v,
                text=t,
                structured=ld.script(
                    ld.statement(
                        w.config,
                        v.moment.isoformat(),
                        t,
                        w.config.url,
                        w.config.url(v.image_key or w.touch_icon),
                    )
                ),
                **common,
            )
    for lang in feed_languages(views):
        _feed(w, views, lang, indexes.get(lang) or indexes[default])


def _feed(w: SiteWriter, views: Sequence[StatementView], lang: str, index_key: str) -> None:
    """Write statements/<lang>.xml: the statements written in lang, newest first."""
    url = w.config.url
    entries = [
        AtomEntry(
            url=url(t.page_key),
            title=t.title,
            summary=t.summary,
            html=str(t.html),
            date=v.moment,
            authors=t.signatories,
        )
        for v in views
        for t in v.texts
        if t.lang == lang
    ]
    data = atom_feed(
        feed_url=url(statements_feed_key(lang)),
        page_url=url(index_key),
        title=f"{w.config.site.title} · {w.translate(lang, 'Statements')}",
        lang=lang,
        author=w.config.site.title,
        entries=entries,
    )
    w.write(statements_feed_key(lang), data)
