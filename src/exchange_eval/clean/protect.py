"""Protect people: every person becomes a pid, and identity fields stop at the cleaning step.

A round names two officials per country, so anything that identifies a person must stop
here:

* every person becomes a ``pid``, a keyed hash (HMAC-SHA256) of their normalised e-mail
  or of their normalised name and country (`pseudonym`). The key never leaves the
  machine (`exchange_eval.clean.keys.load_key`), so nobody holding only the processed
  data or a report can recompute a pid from a list of names;
* identity fields (`is_pii_field`) are dropped once the pid is derived;
* free text is scrubbed of e-mails, phone numbers and roster names by
  `exchange_eval.clean.scrub`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

from ..core.countries import to_iso3
from ..core.errors import DataError, ProblemCode
from ..core.text import APOSTROPHES, fold
from .keys import KeyUnavailableError

__all__ = [
    "HONORIFICS",
    "PID_PREFIX",
    "PII_FIELDS",
    "is_pii_field",
    "normalize_email",
    "normalize_name",
    "pid_message",
    "pid_of_message",
    "pseudonym",
]

PID_PREFIX = "p_"
PID_HEX_CHARS = 12

# --------------------------------------------------------------------------- normalising

#: titles dropped before a name is compared (and scrubbed after, with the name)
HONORIFICS = frozenset(
    {"dr", "mr", "mrs", "ms", "miss", "mme", "mlle", "mde", "pr", "prof", "hon", "sir",
     "madame", "monsieur", "mademoiselle", "docteur", "professeur", "doctor", "professor"}
)



_BRACKETED_EMAIL_RE = re.compile(r"<([^<>]*@[^<>]*)>")
_MAILTO_RE = re.compile(r"^mailto:", re.IGNORECASE)
_SPACE_RE = re.compile(r"\s+")


def normalize_email(s: str | None) -> str:
    """Normalise an e-mail address for matching: trimmed, case-folded, spaces removed.

    ``Name <address>`` and ``mailto:`` forms are reduced to the address.

    Parameters
    ----------
    s : str or None
        An e-mail address as typed.

    Returns
    -------
    str
        The normalised address, or ``""`` for None or blank input.

    Examples
    --------
    >>> normalize_email("  Aminata.Diallo@Education.GOUV.sn ")
    'aminata.diallo@education.gouv.sn'
    >>> normalize_email("Aminata Diallo <a.diallo@gouv.sn>")
    'a.diallo@gouv.sn'
    """
    if s is None:
        return ""
    text = unicodedata.normalize("NFKC", str(s)).strip()
    bracketed = _BRACKETED_EMAIL_RE.search(text)
    if bracketed:
        text = bracketed.group(1)
    text = _MAILTO_RE.sub("", text.strip())
    text = _SPACE_RE.sub("", text).strip(".,;:")
    return text.casefold()


def _looks_like_email(address: str) -> bool:
    local, _, domain = address.rpartition("@")
    return bool(local) and "." in domain.strip(".") and not domain.startswith(".")


def _name_tokens(s: str) -> list[str]:
    folded = fold(unicodedata.normalize("NFKC", s))
    folded = re.sub(f"[{APOSTROPHES}]", "", folded)  # N'Diaye == Ndiaye
    return [t for t in re.split(r"[^\w]+|_", folded) if t]


def normalize_name(s: str | None) -> str:
    """Normalise a person's name so spelling variants of one name compare equal.

    Case-folded, accents stripped, apostrophes removed (``N'Diaye`` = ``Ndiaye``), other
    punctuation and runs of spaces turned into one space, leading titles (Dr, Mme, Mr, …)
    dropped, and the words sorted, so the order of given name and surname does not matter.

    Parameters
    ----------
    s : str or None
        A name as typed.

    Returns
    -------
    str
        The normalised name, or ``""`` for None or blank input.

    Examples
    --------
    >>> normalize_name("Diallo  Aminata")
    'aminata diallo'
    >>> normalize_name("Mme Aïcha N’DIAYE-Sow")
    'aicha ndiaye sow'
    """
    if s is None:
        return ""
    tokens = _name_tokens(str(s))
    while len(tokens) > 1 and tokens[0] in HONORIFICS:
        tokens = tokens[1:]
    return " ".join(sorted(tokens))


# --------------------------------------------------------------------------- pseudonyms


def pid_message(*, email: str | None = None, name: str | None = None, country: str | None = None) -> str:
    """The text that is hashed into a pid (see `pseudonym`); exposed for tests and audits.

    Parameters
    ----------
    email, name, country : str, optional
        As for `pseudonym`.

    Returns
    -------
    str
        ``"email:<normalised e-mail>"`` or ``"name:<normalised name>|<ISO3 or empty>"``.

    Raises
    ------
    DataError
        If there is neither a usable e-mail nor a name, or the country is not recognised.
    """
    address = normalize_email(email)
    if address and _looks_like_email(address):
        return f"email:{address}"
    normalized = normalize_name(name)
    if not normalized or not re.search(r"[^\W\d_]", normalized):
        raise DataError("cannot make a pid: the person has neither a valid e-mail address nor a name",
                        code=ProblemCode.UNIDENTIFIED)
    iso3 = ""
    if country is not None and str(country).strip():
        found = to_iso3(str(country))
        if found is None:
            raise DataError(f"cannot make a pid: country {country!r} is not recognised", column="country",
                            code=ProblemCode.UNKNOWN_COUNTRY)
        iso3 = found
    return f"name:{normalized}|{iso3}"


def pseudonym(
    *, key: bytes, email: str | None = None, name: str | None = None, country: str | None = None
) -> str:
    """Stable pseudonymous id (pid) of a person.

    Parameters
    ----------
    key : bytes
        The secret key (`load_key`).
    email : str, optional
        The person's e-mail address; used whenever it looks like an address.
    name : str, optional
        The person's name; used when there is no usable e-mail.
    country : str, optional
        With a name: the person's country (ISO3, ISO2 or a name in English or French), so
        namesakes in two countries get two pids. Without it, the country part is empty —
        which gives another pid than the same name *with* its country.

    Returns
    -------
    str
        ``"p_"`` followed by the first 12 hexadecimal characters of
        HMAC-SHA256(key, message), message as in `pid_message`.

    Raises
    ------
    DataError
        If neither a usable e-mail nor a name is given, or the country is unknown.

    Notes
    -----
    The same e-mail in any case or spacing, and the same name in any word order, case or
    accents, give the same pid. E-mail and name give *different* pids for one person;
    linking the two is the roster's job.

    12 hex characters are 48 bits. By the birthday bound, the chance that two of ``n``
    distinct people share a pid is about ``n**2 / 2**49``: 1.8e-7 for 10,000 people,
    1.8e-3 for a million. Without the key, a pid cannot be recomputed from a name list.

    Examples
    --------
    >>> pseudonym(key=b"demo", email="A.Diallo@gouv.sn") == pseudonym(key=b"demo", email=" a.diallo@GOUV.SN")
    True
    >>> pseudonym(key=b"demo", name="Diallo Aminata", country="SEN") == pseudonym(
    ...     key=b"demo", name="Aminata DIALLO", country="Sénégal")
    True
    """
    if not isinstance(key, bytes | bytearray) or not key:
        raise KeyUnavailableError("pseudonym() needs a non-empty key (bytes) from load_key()")
    return pid_of_message(key, pid_message(email=email, name=name, country=country))


def pid_of_message(key: bytes, message: str) -> str:
    """The pid of a `pid_message` text: ``p_`` + 12 hex digits of HMAC-SHA256(key, message)."""
    if not isinstance(key, bytes | bytearray) or not key:
        raise KeyUnavailableError("pseudonym() needs a non-empty key (bytes) from load_key()")
    # hmac.digest is the one-shot C implementation of hmac.new(...).digest()
    digest = hmac.digest(bytes(key), message.encode("utf-8"), hashlib.sha256).hex()
    return PID_PREFIX + digest[:PID_HEX_CHARS]



# Field kinds (instruments.yaml `fields`) and export metadata columns that identify a
# person or their whereabouts. Matched after snake-casing the name (IPAddress -> ip_address).
PII_FIELDS = frozenset(
    {
        "email", "email_address", "e_mail", "courriel",
        "name", "full_name", "first_name", "last_name", "given_name", "family_name",
        "surname", "middle_name", "nom", "prenom", "nom_complet",
        "phone", "phone_number", "phonenumber", "mobile", "mobile_number", "telephone", "tel",
        "ip_address", "ip", "ipaddress",
        "location_latitude", "location_longitude", "latitude", "longitude", "lat", "long",
        "lon", "lng", "altitude", "gps", "geolocation", "geopoint", "location",
        "external_reference", "external_data_reference",
        "deviceid", "device_id", "subscriberid", "simserial", "imei",
    }
)


def _snake(name: str) -> str:
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", str(name).strip())
    text = fold(text)
    return re.sub(r"[^0-9a-z]+", "_", text).strip("_")


def is_pii_field(role: str) -> bool:
    """Whether a field kind or export column identifies a person (and must not be stored).

    Parameters
    ----------
    role : str
        A field kind from ``instruments.yaml`` (``email``, ``name``, ``first_name``,
        ``last_name``, ``phone``) or a platform's metadata column (``IPAddress``,
        ``RecipientEmail``, ``LocationLatitude``, ``_geolocation``, ``deviceid``…).

    Returns
    -------
    bool

    Examples
    --------
    >>> is_pii_field("first_name"), is_pii_field("RecipientLastName"), is_pii_field("country")
    (True, True, False)
    """
    snake = _snake(role)
    if not snake:
        return False
    if snake in PII_FIELDS or snake.startswith("recipient"):
        return True
    # Kobo/ODK geopoints: "_gps_latitude", "location_precision", …
    return bool(re.search(r"(^|_)(latitude|longitude|altitude|geolocation|geopoint)(_|$)", snake))
