"""The web UI's two languages: English (the source text) and Traditional Chinese (Hong Kong).

Translations are gettext catalogues kept as .po files under `locale/zh_Hant/LC_MESSAGES/`:
one per part of the UI (`core.po`, `admin.po` ...). At start-up every .po file there is read
and merged into one catalogue, compiled in memory; nothing is compiled at build time.

Which language a page is in: the signed-in user's stored choice, else the `govpilot_lang`
cookie (set by the language switch), else the browser's Accept-Language, else English.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from govpilot.access import Role
from govpilot.accounts.models import LANGUAGES
from govpilot.language import cjk_ratio, detect_language

ENGLISH = "en"
CHINESE = "zh-Hant"
DEFAULT_LANGUAGE = ENGLISH
LANGUAGE_COOKIE = "govpilot_lang"

#: The `lang` attribute of a page in each UI language.
HTML_LANG = {ENGLISH: "en", CHINESE: "zh-Hant-HK"}
#: Each language's name in itself, for the switch.
LANGUAGE_NAMES = {ENGLISH: "English", CHINESE: "繁體中文"}
#: The folder (gettext locale name) of each translated language.
_LOCALE_DIRS = {CHINESE: "zh_Hant"}


#: The `lang` attribute of a text in each language `detect_language` names.
_TEXT_LANG = {"en": "en", "zh-Hant": "zh-Hant-HK", "zh-Hans": "zh-Hans", "yue": "yue-Hant-HK"}


def N_(message: str) -> str:
    """Mark `message` for translation where it is defined; it is translated when shown."""
    return message


#: How each role is named on pages.
ROLE_LABELS = {
    Role.PLATFORM_ADMIN.value: N_("Platform administrator"),
    Role.DEPARTMENT_ADMIN.value: N_("Department administrator"),
    Role.OFFICER.value: N_("Officer"),
    Role.AUDITOR.value: N_("Auditor"),
    Role.PUBLIC.value: N_("Member of the public"),
}


def catalogue_files(language: str = CHINESE) -> list[Traversable]:
    """The .po files of `language`, in name order."""
    folder = resources.files("govpilot.web").joinpath(
        "locale", _LOCALE_DIRS[language], "LC_MESSAGES"
    )
    return sorted(
        (entry for entry in folder.iterdir() if entry.name.endswith(".po")),
        key=lambda entry: entry.name,
    )


def merged_catalogue(language: str = CHINESE) -> Catalog:
    """Every .po file of `language` merged into one catalogue (a later file wins a clash)."""
    merged = Catalog(locale=_LOCALE_DIRS[language], domain="messages")
    for entry in catalogue_files(language):
        with entry.open("rb") as handle:
            part = read_po(handle, locale=_LOCALE_DIRS[language])
        for message in part:
            if message.id and message.string and not message.fuzzy:
                merged[message.id] = message
    return merged


def compile_translations(catalogue: Catalog) -> Translations:
    """The catalogue as a gettext Translations object, compiled in memory."""
    buffer = io.BytesIO()
    write_mo(buffer, catalogue)
    buffer.seek(0)
    return Translations(fp=buffer)


@dataclass(frozen=True)
class UiLanguages:
    """The gettext translations of each UI language, loaded once at start-up."""

    translations: dict[str, NullTranslations]

    @classmethod
    def load(cls) -> UiLanguages:
        """English as written in the source, Chinese from the merged catalogues."""
        return cls(
            {
                ENGLISH: NullTranslations(),
                CHINESE: compile_translations(merged_catalogue(CHINESE)),
            }
        )

    def gettext(self, language: str, message: str, **params: object) -> str:
        """`message` in `language`, with %(name)s placeholders filled from `params`."""
        text = self.translations[supported(language)].gettext(message)
        return text % params if params else text


def supported(language: str | None) -> str:
    """`language` if the UI has it, else the default."""
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def from_accept_language(header: str | None) -> str | None:
    """The first UI language the browser asks for (any Chinese means Traditional)."""
    if not header:
        return None
    wanted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            wanted.append((-quality, position, tag.strip().lower()))
    for _, _, tag in sorted(wanted):
        primary = tag.split("-", 1)[0]
        if primary in ("zh", "yue"):
            return CHINESE
        if primary == "en":
            return ENGLISH
    return None


def choose_language(
    user_language: str | None, cookie: str | None, accept_language: str | None
) -> str:
    """The page's language: the user's stored choice, the cookie, the browser, English."""
    for candidate in (user_language, cookie, from_accept_language(accept_language)):
        if candidate is not None and candidate in LANGUAGES:
            return candidate
    return DEFAULT_LANGUAGE


def text_lang(text: str) -> str:
    """The `lang` attribute for a text (mixed: its larger side, a Han character weighing 3
    letters as `detect_language` weighs it); "" when unknown."""
    detected = detect_language(text[:20_000])
    if detected == "mixed":
        return _TEXT_LANG["zh-Hant"] if cjk_ratio(text[:20_000]) > 0.25 else "en"
    return _TEXT_LANG.get(detected, "")
