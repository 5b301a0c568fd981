"""Interface strings and dates of the site in each show's language (English when unknown)."""

from __future__ import annotations

from datetime import date, datetime

# A language's own name, for the language switch (shown in that language, as users expect).
LANGUAGE_NAMES = {
    "en": "English",
    "es": "Español",
    "fr": "Français",
    "de": "Deutsch",
    "pt": "Português",
    "it": "Italiano",
    "nl": "Nederlands",
    "tr": "Türkçe",
    "el": "Ελληνικά",
    "pl": "Polski",
    "ru": "Русский",
    "ar": "العربية",
    "fa": "فارسی",
    "zh": "中文",
    "ja": "日本語",
    "ko": "한국어",
    "sv": "Svenska",
    "da": "Dansk",
    "no": "Norsk",
    "fi": "Suomi",
    "ca": "Català",
    "eu": "Euskara",
}
RTL = {"ar", "fa", "he", "ur"}

EN = {
    "skip": "Skip to content",
    "home": "Home",
    "podcasts": "Podcasts",
    "magazine": "Magazine",
    "languages": "Languages",
    "latest_episode": "Latest episode",
    "latest_issue": "Latest issue",
    "all_episodes": "All episodes",
    "episodes": "Episodes",
    "episode": "Episode",
    "season": "Season",
    "trailer": "Trailer",
    "bonus": "Bonus",
    "subscribe": "Subscribe",
    "copy_rss": "Copy RSS link",
    "copied": "Copied",
    "rss_feed": "RSS feed",
    "listen": "Listen",
    "download": "Download",
    "notes": "Show notes",
    "chapters": "Chapters",
    "transcript": "Transcript",
    "hosts": "With",
    "support": "Support",
    "no_audio": "Your browser cannot play this audio; download it instead.",
    "newer": "Newer episodes",
    "older": "Older episodes",
    "page": "Page",
    "of": "of",
    "read_online": "Read online",
    "screen_pdf": "PDF for screens",
    "print_pdf": "PDF for print",
    "contents": "Contents",
    "issue": "Issue",
    "archive": "Archive",
    "by": "By",
    "translated_by": "Translated by",
    "cover_of": "Cover of",
    "artwork_of": "Artwork of",
    "not_found": "Page not found",
    "not_found_text": "This page does not exist or has moved.",
    "go_home": "Go to the home page",
    "also_in": "Also in",
    "nothing_yet": "Nothing published yet.",
    "minutes": "min",
    "back_to_show": "All episodes of",
    "back_to_archive": "All issues",
    "top": "Back to top",
}

STRINGS: dict[str, dict[str, str]] = {
    "en": EN,
    "es": {
        "skip": "Ir al contenido",
        "home": "Inicio",
        "podcasts": "Pódcasts",
        "magazine": "Revista",
        "languages": "Idiomas",
        "latest_episode": "Último episodio",
        "latest_issue": "Último número",
        "all_episodes": "Todos los episodios",
        "episodes": "Episodios",
        "episode": "Episodio",
        "season": "Temporada",
        "trailer": "Avance",
        "bonus": "Extra",
        "subscribe": "Suscribirse",
        "copy_rss": "Copiar enlace RSS",
        "copied": "Copiado",
        "rss_feed": "Feed RSS",
        "listen": "Escuchar",
        "download": "Descargar",
        "notes": "Notas del episodio",
        "chapters": "Capítulos",
        "transcript": "Transcripción",
        "hosts": "Con",
        "support": "Apoyar",
        "no_audio": "Tu navegador no puede reproducir este audio; descárgalo.",
        "newer": "Episodios más recientes",
        "older": "Episodios anteriores",
        "page": "Página",
        "of": "de",
        "read_online": "Leer en línea",
        "screen_pdf": "PDF para pantalla",
        "print_pdf": "PDF para imprenta",
        "contents": "Sumario",
        "issue": "Número",
        "archive": "Archivo",
        "by": "Por",
        "translated_by": "Traducción de",
        "cover_of": "Portada de",
        "artwork_of": "Imagen de",
        "not_found": "Página no encontrada",
        "not_found_text": "Esta página no existe o ha cambiado de dirección.",
        "go_home": "Ir a la página de inicio",
        "also_in": "También en",
        "nothing_yet": "Aún no hay nada publicado.",
        "back_to_show": "Todos los episodios de",
        "back_to_archive": "Todos los números",
        "top": "Volver arriba",
    },
    "fr": {
        "skip": "Aller au contenu",
        "home": "Accueil",
        "podcasts": "Podcasts",
        "magazine": "Revue",
        "languages": "Langues",
        "latest_episode": "Dernier épisode",
        "latest_issue": "Dernier numéro",
        "all_episodes": "Tous les épisodes",
        "episodes": "Épisodes",
        "episode": "Épisode",
        "season": "Saison",
        "subscribe": "S’abonner",
        "copy_rss": "Copier le lien RSS",
        "copied": "Copié",
        "listen": "Écouter",
        "download": "Télécharger",
        "notes": "Notes",
        "chapters": "Chapitres",
        "transcript": "Transcription",
        "hosts": "Avec",
        "support": "Soutenir",
        "contents": "Sommaire",
        "issue": "Numéro",
        "archive": "Archives",
        "by": "Par",
        "not_found": "Page introuvable",
        "go_home": "Aller à l’accueil",
        "also_in": "Aussi en",
    },
    "de": {
        "skip": "Zum Inhalt",
        "home": "Start",
        "podcasts": "Podcasts",
        "magazine": "Magazin",
        "languages": "Sprachen",
        "latest_episode": "Neueste Folge",
        "latest_issue": "Neueste Ausgabe",
        "all_episodes": "Alle Folgen",
        "episodes": "Folgen",
        "episode": "Folge",
        "season": "Staffel",
        "subscribe": "Abonnieren",
        "copy_rss": "RSS-Link kopieren",
        "copied": "Kopiert",
        "listen": "Anhören",
        "download": "Herunterladen",
        "notes": "Shownotes",
        "chapters": "Kapitel",
        "transcript": "Transkript",
        "hosts": "Mit",
        "support": "Unterstützen",
        "contents": "Inhalt",
        "issue": "Ausgabe",
        "archive": "Archiv",
        "by": "Von",
        "not_found": "Seite nicht gefunden",
        "go_home": "Zur Startseite",
        "also_in": "Auch auf",
    },
    "pt": {
        "skip": "Ir para o conteúdo",
        "home": "Início",
        "podcasts": "Podcasts",
        "magazine": "Revista",
        "languages": "Idiomas",
        "latest_episode": "Último episódio",
        "latest_issue": "Última edição",
        "all_episodes": "Todos os episódios",
        "episodes": "Episódios",
        "episode": "Episódio",
        "season": "Temporada",
        "subscribe": "Assinar",
        "copy_rss": "Copiar link RSS",
        "copied": "Copiado",
        "listen": "Ouvir",
        "download": "Baixar",
        "notes": "Notas",
        "chapters": "Capítulos",
        "transcript": "Transcrição",
        "hosts": "Com",
        "support": "Apoiar",
        "contents": "Sumário",
        "issue": "Edição",
        "archive": "Arquivo",
        "by": "Por",
        "not_found": "Página não encontrada",
        "go_home": "Ir para o início",
        "also_in": "Também em",
    },
}

MONTHS = {
    "en": "January February March April May June July August September October November December",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
}
DATE_PATTERN = {
    "en": "{d} {m} {y}",
    "es": "{d} de {m} de {y}",
    "pt": "{d} de {m} de {y}",
    "fr": "{d} {m} {y}",
    "de": "{d}. {m} {y}",
}


def base_language(tag: str) -> str:
    """Return the primary subtag of a language tag: 'es' for 'es-MX'."""
    return tag.split("-")[0].lower()


def strings(tag: str) -> dict[str, str]:
    """Return the interface strings for a language, English filling any gap."""
    return {**EN, **STRINGS.get(base_language(tag), {})}


def language_name(tag: str) -> str:
    """Return a language's name in that language, or the tag itself."""
    return LANGUAGE_NAMES.get(base_language(tag), tag)


def direction(tag: str) -> str:
    """Return the writing direction of a language: 'rtl' or 'ltr'."""
    return "rtl" if base_language(tag) in RTL else "ltr"


def format_date(value: date | datetime, tag: str) -> str:
    """Return a date written out in a language: '20 November 2026', '20 de noviembre de 2026'."""
    lang = base_language(tag)
    months = MONTHS.get(lang, MONTHS["en"]).split()
    pattern = DATE_PATTERN.get(lang, DATE_PATTERN["en"])
    return pattern.format(d=value.day, m=months[value.month - 1], y=value.year)


def format_duration(seconds: float) -> str:
    """Return a duration as h:mm:ss or m:ss."""
    total = max(0, round(seconds))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def format_size(size: int) -> str:
    """Return a file size for people: '1.4 MB', '820 kB'."""
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{max(1, round(size / 1000))} kB"
