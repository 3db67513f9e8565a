"""Learner rows for the demo school: names, dates of birth, UPNs, SIMS numbers and logins."""

from __future__ import annotations

import random
import re
import unicodedata
from datetime import date, timedelta
from functools import lru_cache
from itertools import accumulate
from typing import Any

from planit_desktop.model.calendar import birth_range_for, end_of_academic_year
from planit_desktop.model.kinds import LearnerOrigin, LearnerStatus
from planit_desktop.model.services.demo.names import ETHNICITY_MIX, LEAVING_REASONS, NamePool
from planit_desktop.model.validation.upn import check_letter

# Local-authority codes for the primary schools that allocated the UPNs (Surrey and its
# neighbours): learners arrive from many primaries.
LA_CODES = (936, 937, 938, 850, 316)
FIRST_ESTABLISHMENT = 2001
SERIALS_PER_ESTABLISHMENT = 999
PRIMARIES = 40

_CODES = tuple(code for code, _share, _pools in ETHNICITY_MIX)
_POOLS = tuple(pools for _code, _share, pools in ETHNICITY_MIX)
_CUMULATIVE = tuple(accumulate(share for _code, share, _pools in ETHNICITY_MIX))
# Letters that NFKD does not take apart into an ASCII letter and an accent.
_FOLD = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss"})
_NOT_ASCII_LETTERS = re.compile(r"[^a-z]+")


@lru_cache(maxsize=4096)
def ascii_letters(text: str) -> str:
    """``"O'Brien"`` → ``"obrien"``, ``"Łukasz"`` → ``"lukasz"``: a login-safe spelling."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return _NOT_ASCII_LETTERS.sub("", decomposed.encode("ascii", "ignore").decode().lower())


class LearnerFactory:
    """Makes learner and credential rows with primary keys 1, 2, 3, … in order."""

    def __init__(
        self, rng: random.Random, academic_year: int, capacity: int, password_hash: str
    ) -> None:
        self.rng = rng
        self.academic_year = academic_year
        self.password_hash = password_hash
        self.learner_rows: list[dict[str, Any]] = []
        self.credential_rows: list[dict[str, Any]] = []
        self._logins: dict[str, int] = {}
        self._serials: dict[int, int] = {}
        # Admission numbers are not in roll order; six digits keep leading zeros common.
        upper = max(1_000_000, 2 * capacity)
        self._sims_width = len(str(upper - 1))
        self._sims = iter(rng.sample(range(1, upper), capacity))

    def on_roll(self, year_group: int) -> int:
        """A learner on roll in ``year_group``; returns their id."""
        return self._add(year_group, self.academic_year, LearnerStatus.ON_ROLL, None, None)

    def left(self, year_group: int) -> int:
        """A learner who left this autumn, "not at my provider", with a date and reason."""
        left_on = date(self.academic_year, 9, 1) + timedelta(days=self.rng.randrange(100))
        reason = self.rng.choice(LEAVING_REASONS)
        return self._add(year_group, self.academic_year, LearnerStatus.LEFT, left_on, reason)

    def completed(self, top_year: int) -> int:
        """A learner who completed the top year last academic year (left on 31 August)."""
        last_year = self.academic_year - 1
        left_on = end_of_academic_year(last_year)
        return self._add(top_year, last_year, LearnerStatus.COMPLETED, left_on, None)

    def _add(
        self,
        year_group: int,
        in_year: int,
        status: LearnerStatus,
        left_on: date | None,
        reason: str | None,
    ) -> int:
        rng = self.rng
        learner_id = len(self.learner_rows) + 1
        first_born, last_born = birth_range_for(year_group, in_year)
        born = first_born + timedelta(days=rng.randrange((last_born - first_born).days + 1))
        (index,) = rng.choices(range(len(_CODES)), cum_weights=_CUMULATIVE)
        pools = _POOLS[index]
        sex = "M" if rng.random() < 0.51 else "F"
        first_names = self._first_names(pools, sex)
        surname = rng.choice(rng.choice(pools).surnames)
        self.learner_rows.append(
            {
                "id": learner_id,
                "first_names": first_names,
                "surname": surname,
                "date_of_birth": born,
                "year_group": year_group,
                "sex": sex,
                "ethnicity": _CODES[index],
                # UPNs are allocated on entry to Reception: the academic year Year 0 began.
                "upn": self._upn(in_year - year_group),
                "sims_number": f"{next(self._sims):0{self._sims_width}d}",
                "login": self._login(first_names, surname),
                "status": status,
                "left_on": left_on,
                "left_reason": reason,
                "origin": LearnerOrigin.DEMO,
                "version": 1,
            }
        )
        self.credential_rows.append(
            {
                "learner_id": learner_id,
                "password_hash": self.password_hash,
                "must_change": False,
                "password_changed_at": None,
                "secondary_hash": None,
                "secondary_issued_at": None,
            }
        )
        return learner_id

    def _first_names(self, pools: tuple[NamePool, ...], sex: str) -> str:
        rng = self.rng
        choices = rng.choice(pools).boys if sex == "M" else rng.choice(pools).girls
        first = rng.choice(choices)
        if rng.random() < 0.25:  # a middle name, as the MIS "legal forename" often has
            middle = rng.choice(choices)
            if middle != first:
                return f"{first} {middle}"
        return first

    def _upn(self, reception_year: int) -> str:
        allocated = reception_year % 100
        serial = self._serials.get(allocated, 0)
        self._serials[allocated] = serial + 1
        # Learners come from many primaries, each numbering its own (up to 999) entrants; a
        # bijection from the cohort's running count keeps every UPN unique, however many.
        wave, rest = divmod(serial, PRIMARIES * SERIALS_PER_ESTABLISHMENT)
        number, primary = divmod(rest, PRIMARIES)
        block = wave * PRIMARIES + primary
        la_code = LA_CODES[block % len(LA_CODES)]
        establishment = FIRST_ESTABLISHMENT + 7 * block
        body = f"{la_code:03d}{establishment:04d}{allocated:02d}{number + 1:03d}"
        return check_letter(body) + body

    def _login(self, first_names: str, surname: str) -> str:
        base = (ascii_letters(first_names)[:1] + ascii_letters(surname))[:40] or "learner"
        count = self._logins.get(base, 0) + 1
        self._logins[base] = count
        return f"{base}{count}"
