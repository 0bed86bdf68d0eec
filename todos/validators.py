"""Checks on the text people give their todos and tags."""

import re
import unicodedata

from django.core.exceptions import ValidationError

# Unicode categories that print nothing: control and format characters (zero-width spaces,
# joiners, direction marks, the soft hyphen) and the separators.
_BLANK_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})
# Letters, marks and symbols that render blank all the same: the combining grapheme joiner,
# the Hangul fillers, Khmer's inherent vowels, Mongolian variation selectors, the braille blank.
_BLANK_CHARACTERS = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f\u2800\u3164\uffa0"
)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _is_variation_selector(character):
    return "\ufe00" <= character <= "\ufe0f" or "\U000e0100" <= character <= "\U000e01ef"


def _is_blank(character):
    return (
        unicodedata.category(character) in _BLANK_CATEGORIES
        or character in _BLANK_CHARACTERS
        or _is_variation_selector(character)
    )


def _ends_a_sequence(character):
    """Blank characters that finish what comes before them: variation selectors (the emoji
    style of ❤) and tag characters (the flag of a country's region)."""
    return _is_variation_selector(character) or "\U000e0020" <= character <= "\U000e007f"


def _is_edge_blank(character):
    # Control characters other than spaces are left to the forms to refuse (a NUL).
    return character.isspace() or (
        _is_blank(character)
        and unicodedata.category(character) != "Cc"
        and not _ends_a_sequence(character)
    )


def one_line(value):
    """`value` with each line break (CR LF, CR or LF) a space. A browser's one-line text box
    holds none (HTML strips them from its value): stored, a title's line break would be lost
    unseen the next time its edit form was saved."""
    return _LINE_BREAK.sub(" ", value)


def trim(value):
    """`value` without the spaces and invisible characters at its ends, as str.strip() trims
    spaces: "ok" typed with a zero-width space or a direction mark after it is the tag "ok",
    not a second one that looks the same. Those that finish an emoji stay."""
    start, end = 0, len(value)
    while start < end and _is_edge_blank(value[start]):
        start += 1
    while end > start and _is_edge_blank(value[end - 1]):
        end -= 1
    return value[start:end]


def validate_visible(value):
    """Refuses text that shows nothing: a title or tag name of zero-width spaces or fillers
    would be saved and listed as an empty link."""
    if value and all(_is_blank(character) for character in value):
        raise ValidationError(
            "Enter at least one visible character: this holds only invisible ones.",
            code="invisible",
        )
