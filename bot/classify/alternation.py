"""Long regex alternations laid out so that the engine skips a phrase that cannot start here at once.

Python's engine tries the branches of an alternation one by one at each place it looks. Grouped
under their first character (``any ?one|advice`` → ``a(?:ny ?one|dvice)``), most branches are passed
over after a single comparison, which makes a search through a hundred phrases up to twice as fast.
Grouping changes which phrase is found first, never whether one is, so it is only for patterns read
as a yes or no.
"""

from __future__ import annotations

from collections.abc import Iterator

_SPECIAL = frozenset("\\.^$*+?{}[]()|")
_QUANTIFIERS = frozenset("?*+{")


def by_first_character(*phrases: str) -> str:
    """One non-capturing alternation of ``phrases`` (each may itself be a small regex), grouped.

    >>> by_first_character("any ?one|advice", "(?:tips|tools) please", "[a-z]+ez")
    '(?:a(?:ny ?one|dvice)|t(?:ips please|ools please)|[a-z]+ez)'
    """
    grouped: dict[str, list[str]] = {}
    ungrouped: list[str] = []
    for phrase in phrases:
        for branch in _expanded(phrase):
            if branch and branch[0] not in _SPECIAL and branch[1:2] not in _QUANTIFIERS:
                grouped.setdefault(branch[0], []).append(branch[1:])
            else:
                ungrouped.append(branch)
    parts = [first + "(?:" + "|".join(rests) + ")" for first, rests in grouped.items()]
    return "(?:" + "|".join([*parts, *ungrouped]) + ")"


def _expanded(phrase: str) -> list[str]:
    """The top-level branches of ``phrase``, a leading group spread out: ``(?:a|b)c`` → ``ac``, ``bc``."""
    branches: list[str] = []
    for branch in _branches(phrase):
        end = _group_end(branch) if branch.startswith("(?:") else -1
        if end > 0 and branch[end + 1 : end + 2] not in _QUANTIFIERS:
            branches += [inner + branch[end + 1 :] for inner in _expanded(branch[3:end])]
        elif end > 0 and branch[end + 1 : end + 2] == "?" and branch[end + 2 : end + 3] not in _QUANTIFIERS:
            # An optional leading group: with it or without it (``(?:a|b)?c`` → ``ac``, ``bc``, ``c``).
            rest = branch[end + 2 :]
            branches += [inner + rest for inner in _expanded(branch[3:end])]
            branches += _expanded(rest)
        else:
            branches.append(branch)
    return branches


def _branches(source: str) -> list[str]:
    """``source`` cut at each ``|`` outside brackets and groups."""
    branches: list[str] = []
    start = 0
    for index, char, depth in _structure(source):
        if char == "|" and depth == 0:
            branches.append(source[start:index])
            start = index + 1
    branches.append(source[start:])
    return branches


def _group_end(source: str) -> int:
    """The index of the ``)`` closing the group that opens ``source``, or -1."""
    return next((index for index, char, depth in _structure(source) if char == ")" and depth == 0), -1)


def _structure(source: str) -> Iterator[tuple[int, str, int]]:
    """Each ``(``, ``)`` and ``|`` of ``source`` outside brackets and escapes: its index, the
    character, and the depth of groups just after it."""
    depth, index, in_class = 0, 0, False
    while index < len(source):
        char = source[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if source[index + 1 : index + 2] == "]":
                index += 1
        elif char in "()|":
            depth += 1 if char == "(" else -1 if char == ")" else 0
            yield index, char, depth
        index += 1
