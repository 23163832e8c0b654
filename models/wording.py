"""Counted nouns and articles for messages: "1 row", "2 rows", "an indicators file".

The one helper the import, history, revert and review messages (command line and pages)
use, so none says "1 rows" or "a indicators upload"."""
from __future__ import annotations

# nouns whose plural is not noun + "s"
_IRREGULAR = {"activity": "activities", "key factor": "key factors", "batch": "batches", "person": "people"}


def plural_of(word: str) -> str:
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    last = word.rsplit(" ", 1)[-1]
    if last.endswith("y") and last[-2:-1] not in ("a", "e", "i", "o", "u"):
        return word[:-1] + "ies"
    if last.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    return word + "s"


def plural(n: int, word: str, many: str | None = None) -> str:
    """`n word`, the noun in the plural unless n is 1: plural(1, "row") -> "1 row",
    plural(0, "error") -> "0 errors"; `many` when the plural is irregular."""
    return f"{n} {word if n == 1 else (many or plural_of(word))}"


def article(word: str) -> str:
    """'a' or 'an' before `word` (by its first letter: "an indicators file", "a results file")."""
    return "an" if str(word)[:1].lower() in "aeio" else "a"
