"""Phone numbers for people to read aloud and to dial: the directory stores E.164 (`+381115550100`);
people see it grouped (`+381 11 555 0100`) and phones dial the `tel:` link. No phone library: the region's
numbering is small enough to state here.

How a number is grouped:
1. the country code, found by the lengths E.164 gives them (1 to 3 digits);
2. for the region's parties, the area or mobile code (Belgrade 11, Zagreb 1, Skopje 2, Tirana 4, mobile
   6x…), as their numbering plans define it; elsewhere none;
3. the rest in groups of three from the left, the last group of four rather than leave a digit alone.
"""

import re

# E.164 country codes of one and two digits; every other code has three.
ONE_DIGIT_CODES = {"1", "7"}
TWO_DIGIT_CODES = {
    *"20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58".split(),
    *"60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98".split(),
}
# The area (or mobile network) code's length in the region's numbering plans: the default, and the first
# digits that make it shorter.
AREA_CODE_LENGTH = {
    "355": (2, {"4": 1}),  # Albania: Tirana 4, others 2 (Durrës 52), mobile 6x
    "381": (2, {}),  # Serbia: Belgrade 11, Novi Sad 21, mobile 6x
    "382": (2, {}),  # Montenegro: Podgorica 20, mobile 6x
    "383": (2, {}),  # Kosovo*: Prishtina 38, mobile 4x
    "385": (2, {"1": 1}),  # Croatia: Zagreb 1, others 2 (Split 21), mobile 9x
    "387": (2, {}),  # Bosnia and Herzegovina: Sarajevo 33, Banja Luka 51, mobile 6x
    "389": (2, {"2": 1}),  # North Macedonia: Skopje 2, others 2 (Bitola 47), mobile 7x
}
E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def dialable(number: str) -> str:
    """The number as a `tel:` link wants it: `+` and digits, nothing else."""
    return "+" + re.sub(r"\D", "", number) if number.strip().startswith("+") else re.sub(r"\D", "", number)


def country_code(digits: str) -> str:
    if digits[:1] in ONE_DIGIT_CODES:
        return digits[:1]
    if digits[:2] in TWO_DIGIT_CODES:
        return digits[:2]
    return digits[:3]


def groups_of_three(digits: str) -> list[str]:
    groups = []
    while len(digits) > 4:
        groups.append(digits[:3])
        digits = digits[3:]
    return [*groups, digits] if digits else groups


def spoken(number: str) -> str:
    """`+381115550100` as `+381 11 555 0100`; anything that is not an E.164 number comes back as it was."""
    compact = dialable(number)
    if not E164.match(compact):
        return number
    digits = compact[1:]
    code = country_code(digits)
    rest = digits[len(code) :]
    default, shorter = AREA_CODE_LENGTH.get(code, (0, {}))
    area_length = shorter.get(rest[:1], default)
    area, subscriber = rest[:area_length], rest[area_length:]
    return " ".join(["+" + code, *([area] if area else []), *groups_of_three(subscriber)])
