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
    variable (pipeline/locales.py).
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
    return locales.install_gettext(env)


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
