"""Who answered: a row's identity fields become a pid, its country an ISO3 code.

Shared by the roster (`exchange_eval.clean.people`), the surveys
(`exchange_eval.clean.harmonize`) and the structured sheets: the same e-mail or name and
country gives the same pid everywhere, and an unrecognised country is reported the same
way everywhere.
"""

from __future__ import annotations

from typing import Any

from ..core.countries import to_iso3
from ..core.errors import DataError, ProblemCode
from .context import RoundContext
from .protect import pid_message, pid_of_message, pseudonym

__all__ = ["anonymous_pid", "country_code", "full_name", "identify", "unknown_country"]


def full_name(fields: dict[str, Any]) -> str | None:
    """The person's full name: first + last name when split; a ``Nom`` (name) column beside a
    ``Prénom`` (first name) column holds the last name, as on French registration forms."""
    first, last, name = fields.get("first_name"), fields.get("last_name"), fields.get("name")
    if first or last:
        return " ".join(p for p in (first, last or name) if p)
    return name


def unknown_country(value: str) -> str:
    """The problem text of a country that is not recognised."""
    return f"country {value!r} is not recognised (give a country name in English or French, or an ISO3 code)"


def country_code(ctx: RoundContext, raw: str | None, file: str, row: int | None, column: str | None,
                 *, severity: str = "warning") -> str | None:
    """The ISO3 code of a country as typed, or None (reported) when it is not recognised.

    An ISO3-looking code is checked too: "XYZ" must not reach `pseudonym` unknown.
    """
    if raw is None:
        return None
    code = to_iso3(raw, data_dir=ctx.config.data_dir)
    if code is None:
        ctx.problems.add(file, unknown_country(raw), row, column, severity, code=ProblemCode.UNKNOWN_COUNTRY)
    return code


def identify(ctx: RoundContext, fields: dict[str, Any], *, country: str | None, file: str | None = None,
             row: int | None = None) -> tuple[str | None, str]:
    """(pid, how): from the e-mail, else name + country; None when anonymous.

    E-mail, name and country go to `pid_message` together, which uses the e-mail when it
    looks like one and the name + country otherwise, so a junk e-mail ("n/a", "-") with a
    name still identifies the person. When no pid can be made (junk e-mail and no name,
    or a country the pid cannot use), the row is anonymous and a located warning says
    why; nothing is raised. ``fields["_columns"]`` names the column of each role, to
    locate the warning.
    """
    email = fields.get("email")
    name = full_name(fields)
    if not email and not name:
        return None, "anonymous"
    try:
        # only a recognised ISO3 code (country_code): the roster and every survey then
        # agree on the pid even when one of them spells the country in another way
        message = pid_message(email=email, name=name, country=country)
        pid = pid_of_message(ctx.key, message)  # = pseudonym(), message made once
    except DataError as exc:
        columns = fields.get("_columns") or {}
        role = "country" if exc.problem.column == "country" else "email" if email else "name"
        reason = exc.problem.message.removeprefix("cannot make a pid: ")
        ctx.problems.warn(file, f"the respondent cannot be identified ({reason}): row treated as anonymous",
                          row, columns.get(role), code=ProblemCode.UNIDENTIFIED)
        return None, "anonymous"
    return pid, "email" if message.startswith("email:") else "name"


def anonymous_pid(ctx: RoundContext, file: str, row: int) -> str:
    """The pid of an anonymous submission: one per source row, never shared."""
    return pseudonym(key=ctx.key, name=f"anonymous {ctx.round_id} {file} {row}", country=None)
