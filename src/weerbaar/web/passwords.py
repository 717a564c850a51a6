"""Password and username policy (OWASP ASVS level 2, chapter 6 "Authentication").

A password has at least ``MIN_PASSWORD`` characters (spaces count, no composition rules),
at most ``MAX_PASSWORD``, is not made of one repeated character or a run of the keyboard
or the alphabet, does not contain the user name, and is not one of the common passwords
below (also not with a number or sign stuck on). The list is our own compilation of
passwords that lead published breach statistics, with Dutch words people use as a
password; it is short on purpose: together with the length it stops the guessable ones.

A user name is 1 to 64 characters from a safe alphabet (lower-case letters, digits,
``.``, ``_``, ``-``), starting with a letter or digit; names are compared without case.
"""

from __future__ import annotations

import re
import unicodedata

MIN_PASSWORD = 12
MAX_PASSWORD = 128

# Our own list: the most frequent passwords in published breach statistics and the
# Dutch words and phrases that people use as a password (lower case, no spaces).
_COMMON = """
    123456 1234567 12345678 123456789 1234567890 12345678910 0123456789 987654321
    111111 1111111111 000000 0000000000 121212 123123 123123123 112233 654321 666666
    696969 777777 888888 999999 123321 159753 147258369 741852963 1q2w3e4r 1q2w3e4r5t
    1qaz2wsx qwerty qwertyuiop qwerty123 qwerty12345 azerty azertyuiop asdfgh asdfghjkl
    zxcvbn zxcvbnm qazwsx password password1 password12 password123 passw0rd p@ssw0rd
    p@ssword wachtwoord wachtwoord1 wachtwoord12 wachtwoord123 wachtwoord01 welkom
    welkom01 welkom123 welkom1234 welkomwelkom geheim geheim123 geheimpje letmein
    letmein123 welcome welcome1 welcome123 admin admin123 administrator beheer beheerder
    root toor changeme veranderen wijzigen test test123 testtest test1234 guest gast
    iloveyou ikhouvanjou ikhouvanje schatje liefje lieverd monkey dragon master sunshine
    princess football voetbal ajax ajax1900 feyenoord psv psv1913 oranje nederland
    holland amsterdam rotterdam utrecht denhaag eindhoven groningen zomer winter lente
    herfst maandag vrijdag januari december hallo hallo123 hoihoi doei superman batman
    shadow michael jordan23 trustno1 starwars pokemon minecraft whatever freedom
    baseball hockey soccer computer internet gemeente gemeente123 veiligheid
    veiligheidsregio crisis crisisteam noodplan stroom stroomuitval weerbaar
    weerbaarheid weerbaar123 abcdef abcdefg abcdefgh abcdefghij abc123 abcd1234 a1b2c3
    aaaaaa qwe123 qweasd qweasdzxc zaq12wsx 1234qwer qwer1234 asdf1234 killer hunter
    ranger buster soccer1 lovely loveme jesus jezus hemel engel koekje kaas fiets
    paard hond kat poes konijn voorjaar najaar zonnetje sterretje bloem tulp molen
"""
COMMON_PASSWORDS = frozenset(_COMMON.split())

_KEYBOARD_RUNS = (
    "1234567890",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "azertyuiop",
    "abcdefghijklmnopqrstuvwxyz",
)


class PolicyError(ValueError):
    """A password or user name that the policy refuses (Dutch message)."""


def normalize_username(name: str) -> str:
    """The stored form of a user name: trimmed, NFC, lower case."""
    return unicodedata.normalize("NFC", name.strip()).lower()


def check_username(name: str) -> str:
    """The normalised name, or :class:`PolicyError` when it is not of the safe alphabet."""
    from weerbaar.review.core import valid_reviewer_name  # the one rule for names

    norm = normalize_username(name)
    if not valid_reviewer_name(norm):
        raise PolicyError(
            "Een gebruikersnaam is 1 tot 64 tekens: kleine letters, cijfers, punt, "
            "liggend streepje of koppelteken, en begint met een letter of cijfer."
        )
    return norm


def _core(password: str) -> str:
    """The password without case, spaces, and the digits and signs stuck on at the ends
    (so 'Wachtwoord2024!' counts as 'wachtwoord')."""
    p = password.lower().replace(" ", "")
    return re.sub(r"^[\W\d_]+|[\W\d_]+$", "", p) or p


def _is_run(password: str) -> bool:
    p = password.lower().replace(" ", "")
    if len(set(p)) <= 2:
        return True
    return any(p in run or p in run[::-1] or p in run * 3 for run in _KEYBOARD_RUNS)


def check_password(password: str, username: str | None = None) -> None:
    """Raise :class:`PolicyError` (Dutch) when the password is too weak."""
    if len(password) < MIN_PASSWORD:
        raise PolicyError(f"Een wachtwoord heeft minstens {MIN_PASSWORD} tekens.")
    if len(password) > MAX_PASSWORD:
        raise PolicyError(f"Een wachtwoord heeft hoogstens {MAX_PASSWORD} tekens.")
    if not password.strip():
        raise PolicyError("Een wachtwoord bestaat niet alleen uit spaties.")
    if _is_run(password):
        raise PolicyError(
            "Dit wachtwoord is te makkelijk te raden (herhaalde tekens of een reeks)."
        )
    plain = password.lower().replace(" ", "")
    if plain in COMMON_PASSWORDS or _core(password) in COMMON_PASSWORDS:
        raise PolicyError(
            "Dit wachtwoord staat op de lijst van veelgebruikte wachtwoorden; kies een ander."
        )
    if username and len(username) >= 3 and normalize_username(username) in plain:
        raise PolicyError("Een wachtwoord bevat niet de gebruikersnaam.")
