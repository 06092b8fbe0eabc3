"""Contacts from CSV: normalised, validated line by line, merged not duplicated, names encrypted."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from storage.contact_import import ImportReport, import_contacts
from storage.contact_rows import ContactCsv, ContactRow, CsvHeaderError, RowProblem
from storage.crypto import Vault, generate_key
from storage.db import transaction
from storage.erasure import erase_person
from storage.models import Address, Contact, ErasedAddress, OptOut, Provider
from storage.people import find_person, identifiers
from storage.phones import InvalidPhone, normalise_phone
from tests.storage.raw_dump import raw_dump

T0 = datetime(2026, 10, 14, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "written",
    ["07700 900123", "+44 7700 900123", "(0)7700-900-123", "447700900123", "0044 7700 900123"],
)
def test_uk_numbers_normalise_to_e164(written: str) -> None:
    assert normalise_phone(written) == "+447700900123"


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("0770", "phone '0770' is too short (no area code?)"),
        ("07700 9001234", "phone '07700 9001234' is too long"),
        ("call me", "phone 'call me' is not a phone number"),
        ("1234567", "phone '1234567' is not a number in use in GB"),
    ],
)
def test_invalid_numbers_say_why(written: str, reason: str) -> None:
    with pytest.raises(InvalidPhone) as raised:
        normalise_phone(written)
    assert str(raised.value) == reason


def test_region_setting_reads_local_numbers() -> None:
    assert normalise_phone("(202) 555-0143", "US") == "+12025550143"


def read(text: str) -> list[ContactRow | RowProblem]:
    return list(ContactCsv(io.StringIO(text)))


def test_rows_are_validated_with_spreadsheet_line_numbers() -> None:
    rows = read(
        "Name,Phone,Language,Easy read,Telegram,Email\n"
        "Ann Smith,07700 900123,en,yes,,\n"
        "\n"
        "Bob,0770,en,,,\n"
        ",07700 900125,en,,,\n"
        "Cat,,,,,\n"
        "Dee,07700 900126,English,,,\n"
        "Eve,07700 900127,en,maybe,,\n"
        "Fay,,en,,@fay,\n"
        "Gus,,pl,,,gus-at-example\n"
        '"Hal, Jr",,cy,,,HAL@Example.org\n'
        "Ivy,07700 900128,en,no,,,extra\n"
    )
    assert [str(r) for r in rows if isinstance(r, RowProblem)] == [
        "line 4: phone '0770' is too short (no area code?)",
        "line 5: name is empty",
        "line 6: no phone, telegram or email: there is no way to reach this person",
        "line 7: language 'English' is not a language code such as en, cy, pl or en-easy",
        "line 8: easy_read 'maybe' is not yes or no",
        "line 9: telegram '@fay' is not a chat id (a number; a bot cannot message a @username "
        "until the person has written to it)",
        "line 10: email 'gus-at-example' is not an e-mail address",
        "line 12: 7 values but the header has 6 columns (is there an unquoted comma in a name?)",
    ]
    good = [r for r in rows if isinstance(r, ContactRow)]
    assert good[0] == ContactRow(
        line=2, name="Ann Smith", addresses=(("sms", "+447700900123"),), language="en",
        easy_read=True,
    )  # fmt: skip
    assert good[1].addresses == (("email", "hal@example.org"),)
    assert good[1].language == "cy"


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("phone,language", "the header is missing name (found: phone, language)"),
        ("name,language", "missing an address (phone or telegram or email)"),
        ("name,phone,language,phone", "column phone appears more than once"),
        ("name,Mobile,Tel,language", "columns Mobile and Tel all mean phone: keep one"),
        ("", "missing name, language and an address (phone or telegram or email)"),
        # Every missing column at once, not one per attempt.
        ("Mobile", "the header is missing name and language (found: Mobile)"),
        (
            "Name;Mobile;Lang",
            "the columns look separated by semicolons, not commas: save the file as "
            "'CSV UTF-8 (Comma delimited)'",
        ),
        ("Name\tMobile\tLang", "the columns look separated by tabs"),
    ],
)
def test_unusable_header_is_refused(header: str, message: str) -> None:
    with pytest.raises(CsvHeaderError, match=re.escape(message)):
        read(header + "\nAnn,07700 900123,en\n")


@pytest.mark.parametrize(
    "header",
    [
        "Name,Mobile,Lang",
        "name,phone number,language",
        "Full name,Tel,Preferred language",
        "Client,Mobile No.,Lang",
        "NAME,Telephone,LANGUAGE",
        "Service user,cell phone,locale",
    ],
)
def test_common_column_names_are_understood(header: str) -> None:
    csv = ContactCsv(io.StringIO(header + "\nAnn Smith,07700 900123,cy\n"))
    assert csv.columns == ("name", "phone", "language")
    (row,) = list(csv)
    assert isinstance(row, ContactRow)
    assert (row.name, row.addresses, row.language) == (
        "Ann Smith", (("sms", "+447700900123"),), "cy",
    )  # fmt: skip


def test_email_and_telegram_aliases() -> None:
    csv = ContactCsv(io.StringIO("name,E-mail address,Telegram chat id,lang\n"))
    assert csv.columns == ("name", "email", "telegram", "language")


def test_unknown_columns_are_named() -> None:
    assert ContactCsv(io.StringIO("name,phone,language,nhs_number\n")).ignored == ("nhs_number",)


@pytest.fixture
def vault() -> Vault:
    return Vault.from_setting(generate_key())


@pytest.fixture
def provider(db_engine: Engine) -> Provider:
    with transaction(db_engine) as session:
        row = Provider(name="Sunrise Care", created_at=T0)
        session.add(row)
        session.flush()
        return row


def run_import(engine: Engine, vault: Vault, provider: Provider, text: str) -> ImportReport:
    with transaction(engine) as session:
        return import_contacts(session, vault, provider, ContactCsv(io.StringIO(text)), T0)


def contacts(engine: Engine) -> list[Contact]:
    with Session(engine) as session:
        return list(session.exec(select(Contact).order_by(col(Contact.id))))


def addresses(engine: Engine, vault: Vault) -> list[tuple[int | None, str, str]]:
    with Session(engine) as session:
        rows = session.exec(select(Address).order_by(col(Address.id)))
        return [(a.contact_id, a.channel, vault.decrypt(a.encrypted)) for a in rows]


CSV = (
    "name,phone,language,email,telegram,large_print,answers_on_behalf\n"
    "Ann Smith,07700 900123,en,,,,\n"
    "Bob Jones,0770,en,,,,\n"
    "Ann Smith,+44 7700 900123,,ann@example.org,,yes,daughter\n"
    "Cy Evans,(0)7700-900-124,cy,,987654321,,\n"
    "Di Brown,020 7946 0018,en,,,,\n"
)


def test_import_merges_duplicates_and_reports_bad_rows(
    db_engine: Engine, vault: Vault, provider: Provider
) -> None:
    report = run_import(db_engine, vault, provider, CSV)
    assert (report.imported, report.merged) == (3, 1)
    assert [str(p) for p in report.rejected] == [
        "line 3: phone '0770' is too short (no area code?)"
    ]
    assert [str(p) for p in report.warnings] == [
        "line 4: same person as line 2: merged",
        "line 6: phone is a landline: text messages may not reach it",
    ]
    ann, cy, di = contacts(db_engine)
    assert vault.decrypt(ann.name_encrypted or b"") == "Ann Smith"
    assert (ann.language, ann.large_print, ann.answers_on_behalf) == ("en", True, "daughter")
    assert cy.language == "cy"
    assert addresses(db_engine, vault) == [
        (ann.id, "sms", "+447700900123"),
        (ann.id, "email", "ann@example.org"),
        (cy.id, "sms", "+447700900124"),
        (cy.id, "telegram", "987654321"),
        (di.id, "sms", "+442079460018"),
    ]


def test_importing_again_merges_with_people_already_held(
    db_engine: Engine, vault: Vault, provider: Provider
) -> None:
    run_import(db_engine, vault, provider, CSV)
    again = run_import(db_engine, vault, provider, "name,phone,language\nA. Smith,07700900123,pl\n")
    assert (again.imported, again.merged) == (0, 1)
    assert again.warnings[0].reason == (
        "same person as a contact already held: merged "
        "(the names differ: a shared phone or e-mail reaches one person only)"
    )
    assert len(contacts(db_engine)) == 3
    assert contacts(db_engine)[0].language == "pl"


def test_addresses_of_two_different_people_are_refused(
    db_engine: Engine, vault: Vault, provider: Provider
) -> None:
    run_import(db_engine, vault, provider, CSV)
    report = run_import(
        db_engine, vault, provider, "name,phone,email,language\nX,07700 900124,ann@example.org,en\n"
    )
    assert [str(p) for p in report.rejected] == [
        "line 2: its addresses belong to two different people already held"
    ]


def test_someone_who_texted_before_import_is_linked(
    db_engine: Engine, vault: Vault, provider: Provider
) -> None:
    with transaction(db_engine) as session:
        session.add(
            Address(channel="sms", address_hash=vault.lookup_hash("sms", "+447700900123"),
                    encrypted=vault.encrypt("+447700900123"), created_at=T0)
        )  # fmt: skip
        session.add(
            OptOut(channel="sms", address_hash=vault.lookup_hash("sms", "+447700900123"),
                   keyword="stop", changed_at=T0)
        )  # fmt: skip
    report = run_import(db_engine, vault, provider, "name,phone,language\nAnn,07700 900123,en\n")
    assert (report.imported, report.suppressed) == (1, 1)
    assert "1 opted out earlier and will not be messaged" in report.summary
    (ann,) = contacts(db_engine)
    assert addresses(db_engine, vault) == [(ann.id, "sms", "+447700900123")]


def test_a_failure_part_way_leaves_nothing_written(
    db_engine: Engine, vault: Vault, provider: Provider
) -> None:
    lines = iter(["name,phone,language\n", "Ann,07700 900123,en\n", "Bob,07700 900124,en\n"])

    def source() -> Iterator[str]:
        yield from lines
        raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")

    with pytest.raises(UnicodeDecodeError), transaction(db_engine) as session:
        import_contacts(session, vault, provider, ContactCsv(source()), T0)
    assert contacts(db_engine) == []
    assert addresses(db_engine, vault) == []


def test_raw_dump_holds_no_name_or_number(
    db_engine: Engine, vault: Vault, provider: Provider
) -> None:
    run_import(db_engine, vault, provider, CSV)
    dump = raw_dump(db_engine)
    for secret in [
        "Ann Smith",
        "Cy Evans",
        "7700900123",
        "7700 900123",
        "ann@example.org",
        "987654321",
        "daughter",  # who answers on their behalf is sealed too
    ]:
        assert secret not in dump
    assert "Sunrise Care" in dump  # proves the dump does read the tables


def _erase(engine: Engine, vault: Vault, who: str) -> None:
    with transaction(engine) as session:
        person = find_person(session, vault, identifiers(who))
        erase_person(session, person, datetime(2026, 11, 2, 10, 0, tzinfo=UTC), vault=vault)


ANN_AND_BOB = (
    "name,phone,email,language\nAnn,07700 900123,ann@example.org,en\nBob,07700 900124,,en\n"
)


def test_importing_again_after_erasure_does_not_bring_the_person_back(
    db_engine: Engine, vault: Vault, provider: Provider
) -> None:
    run_import(db_engine, vault, provider, ANN_AND_BOB)
    _erase(db_engine, vault, "07700 900123")
    report = run_import(db_engine, vault, provider, ANN_AND_BOB)
    assert (report.imported, report.merged, report.skipped_erased) == (0, 1, 1)
    assert "1 skipped because they were erased earlier" in report.summary
    assert "line 2: erased on 2 November 2026: not added again" in [str(w) for w in report.warnings]
    live = [c for c in contacts(db_engine) if c.erased_at is None]
    assert len(live) == 1  # Bob only
    assert [a for _, _, a in addresses(db_engine, vault)] == ["+447700900124"]
    # By e-mail alone she is still known as erased.
    again = run_import(db_engine, vault, provider, "name,email,language\nAnn,ANN@example.org,en\n")
    assert again.skipped_erased == 1


def test_include_erased_adds_them_anew_and_forgets_the_erasure(
    db_engine: Engine, vault: Vault, provider: Provider
) -> None:
    run_import(db_engine, vault, provider, ANN_AND_BOB)
    _erase(db_engine, vault, "07700 900123")
    with transaction(db_engine) as session:
        rows = ContactCsv(io.StringIO(ANN_AND_BOB))
        report = import_contacts(session, vault, provider, rows, T0, include_erased=True)
    assert (report.imported, report.skipped_erased) == (1, 0)
    assert sorted(a for _, _, a in addresses(db_engine, vault)) == [
        "+447700900123", "+447700900124", "ann@example.org",
    ]  # fmt: skip
    with Session(db_engine) as session:
        assert list(session.exec(select(ErasedAddress))) == []
    assert run_import(db_engine, vault, provider, ANN_AND_BOB).skipped_erased == 0


def test_erasure_keeps_only_keyed_hashes(
    db_engine: Engine, vault: Vault, provider: Provider
) -> None:
    run_import(db_engine, vault, provider, ANN_AND_BOB)
    _erase(db_engine, vault, "07700 900123")
    with Session(db_engine) as session:
        kept = sorted((e.channel, e.address_hash) for e in session.exec(select(ErasedAddress)))
    assert kept == sorted(
        [("sms", vault.lookup_hash("sms", "+447700900123")),
         ("email", vault.lookup_hash("email", "ann@example.org"))]
    )  # fmt: skip
    dump = raw_dump(db_engine)
    assert "7700900123" not in dump
    assert "ann@example.org" not in dump


def test_preferred_channel_is_read_and_checked() -> None:
    found = read(
        "name,phone,language,preferred_channel\n"
        "Ann,07700 900101,en,web_sms\nBob,07700 900102,en,Web-Email\nCy,07700 900103,en,fax\n"
    )
    assert [r.preferred_channel for r in found if isinstance(r, ContactRow)] == [
        "web_sms", "web_email"
    ]  # fmt: skip
    [problem] = [r for r in found if isinstance(r, RowProblem)]
    assert problem.line == 4
    assert (
        "preferred_channel 'fax' is not one of sms, telegram, web_sms, web_email" in problem.reason
    )


def test_started_on_is_read_as_an_iso_date_with_the_line_of_a_bad_one() -> None:
    found = read(
        "name,phone,language,start date\n"
        "Ann,07700 900101,en,2026-04-01\nBob,07700 900102,en,\n"
        "Cy,07700 900103,en,01/04/2026\nDi,07700 900104,en,2026-02-30\n"
    )
    assert [r.started_on for r in found if isinstance(r, ContactRow)] == [date(2026, 4, 1), None]
    assert [str(r) for r in found if isinstance(r, RowProblem)] == [
        "line 4: started_on '01/04/2026' is not a date written as YYYY-MM-DD, e.g. 2026-04-01",
        "line 5: started_on '2026-02-30' is not a date written as YYYY-MM-DD, e.g. 2026-04-01",
    ]


def test_started_on_is_stored_kept_by_a_blank_cell_and_cleared_by_erasure(
    db_engine: Engine, vault: Vault, provider: Provider
) -> None:
    header = "name,phone,language,started_on\n"
    run_import(db_engine, vault, provider, header + "Ann,07700 900101,en,2026-04-01\n")
    run_import(db_engine, vault, provider, header + "Ann,07700 900101,en,\n")
    [ann] = contacts(db_engine)
    assert ann.started_on == date(2026, 4, 1)
    run_import(db_engine, vault, provider, header + "Ann,07700 900101,en,2026-05-11\n")
    [ann] = contacts(db_engine)
    assert ann.started_on == date(2026, 5, 11)
    _erase(db_engine, vault, "07700 900101")
    [ann] = contacts(db_engine)
    assert ann.started_on is None
