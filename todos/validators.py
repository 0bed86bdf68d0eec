"""Checks on the text people give their todos and tags."""

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


def _is_blank(character):
    return (
        unicodedata.category(character) in _BLANK_CATEGORIES
        or character in _BLANK_CHARACTERS
        or "\ufe00" <= character <= "\ufe0f"  # variation selectors
        or "\U000e0100" <= character <= "\U000e01ef"  # variation selectors supplement
    )


# Invisible characters that mean nothing at either end of a title or a tag name: zero-width
# spaces and joiners, direction marks, the word joiner, the byte order mark, the soft hyphen and
# the fillers. Not every blank character: a variation selector or a tag character ends some
# emoji.
_EDGE_INVISIBLE = frozenset(
    "\u00ad\u115f\u1160\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2800\u3164\ufeff\uffa0"
)


def _is_edge_blank(character):
    return character.isspace() or character in _EDGE_INVISIBLE


def trim(value):
    """`value` without the spaces and invisible characters at its ends, as str.strip() trims
    spaces: "ok" typed with a zero-width space after it is the tag "ok", not a second one that
    looks the same."""
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
