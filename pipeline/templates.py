"""Find and render Jinja2 templates: the content tree's templates/ first, then the pipeline's."""

from __future__ import annotations

from pathlib import Path

import jinja2

from pipeline import locales
from pipeline.errors import BuildError

# The pipeline's own templates ship inside the package, so a wheel install renders everything.
PACKAGE_TEMPLATES = Path(__file__).resolve().parent / "templates"


def search_path(root: Path) -> list[Path]:
    """Return the folders searched for templates, in order, without duplicates."""
    paths: list[Path] = []
    for p in (root / "templates", PACKAGE_TEMPLATES):
        p = p.resolve()
        if p not in paths:
            paths.append(p)
    return paths


def environment(root: Path, **options: object) -> jinja2.Environment:
    """Return a Jinja2 environment that autoescapes, fails on undefined variables and translates.

    _(), gettext() and ngettext() translate into the language of the template's `lang`
    variable (install_gettext; the catalogs are read by pipeline/locales.py).
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(p) for p in search_path(root)]),
        autoescape=jinja2.select_autoescape(("html", "htm", "xml", "j2")),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        **options,  # type: ignore[arg-type]
    )
    return install_gettext(env)


def _page_language(context: jinja2.runtime.Context) -> str:
    lang = context.get("lang")
    return lang if isinstance(lang, str) else "en"


@jinja2.pass_context
def _gettext(context: jinja2.runtime.Context, message: str) -> str:
    return locales.translations(_page_language(context)).gettext(message)


@jinja2.pass_context
def _ngettext(context: jinja2.runtime.Context, singular: str, plural: str, n: int) -> str:
    return locales.translations(_page_language(context)).ngettext(singular, plural, n)


def install_gettext(env: jinja2.Environment) -> jinja2.Environment:
    """Give an environment _(), gettext() and ngettext() in the language of the `lang` variable.

    The site renders pages in several languages from one environment (and the home page holds
    show cards in each show's language), so the translations are not fixed per environment:
    each call looks up `lang` in the template context it runs in. A page is rendered with its
    `lang`; a block in another language is an include inside `{% with lang = ... %}` (includes
    get the enclosing locals as their context, macros imported `with context` in it too).
    One environment per language would compile every template once per language and still
    could not mix languages on one page.

    newstyle=True: the result is marked safe (catalogs are ours) and %(name)s placeholders are
    filled with autoescaped values, so `_("By %(names)s", names=...)` escapes the names.
    """
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    return env


def render(env: jinja2.Environment, name: str, **context: object) -> str:
    """Render a template; a missing template lists where it looked, an error names file and line."""
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateNotFound as exc:
        looked = ", ".join(str(Path(p) / name) for p in env.loader.searchpath)  # type: ignore[union-attr]
        raise BuildError(f"template {exc.name!r} not found; looked in: {looked}") from None
    except jinja2.TemplateSyntaxError as exc:
        raise BuildError(
            f"{exc.filename or exc.name}:{exc.lineno}: template error: {exc.message}"
        ) from None
    except jinja2.UndefinedError as exc:
        raise BuildError(f"template {name}: {exc.message}") from None
