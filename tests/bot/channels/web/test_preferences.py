"""Language and print size are switched on every page by plain links and remembered; the
privacy notice is linked from every page; a concern in free text is signposted at the end."""

from __future__ import annotations

from sqlmodel import Session, select

from storage.models import SafeguardingFlag
from tests.bot.channels.web.harness import FormWorld, Visitor


def begin(world: FormWorld, flow: str) -> Visitor:
    visitor = world.visitor()
    visitor.get(f"/f/{flow}")
    visitor.submit()
    return visitor


def test_easy_read_is_chosen_by_a_link_and_kept_for_every_page(form_world: FormWorld) -> None:
    visitor = begin(form_world, "fft")
    assert visitor.page is not None
    address = visitor.page.url.path
    assert f'href="{address}?lang=en-easy"' in visitor.page.text
    page = visitor.get(f"{address}?lang=en-easy")
    assert page.url.path == address  # the address stays clean to copy
    assert "Easy read</span>" in page.text
    assert 'aria-current="true">Easy read' in page.text
    assert "Not good and not bad" in page.text
    visitor.submit("good")
    assert visitor.page is not None
    assert 'aria-current="true">Easy read' in visitor.page.text


def test_large_print_is_remembered_until_switched_back(form_world: FormWorld) -> None:
    visitor = begin(form_world, "fft")
    assert visitor.page is not None
    address = visitor.page.url.path
    assert 'class="govuk-template app-large-print"' in visitor.get(f"{address}?print=large").text
    assert 'class="govuk-template app-large-print"' in visitor.get("/f/privacy").text
    assert 'class="govuk-template"' in visitor.get(f"{address}?print=standard").text


def test_every_page_links_the_privacy_notice_from_settings(form_world: FormWorld) -> None:
    visitor = form_world.visitor()
    for path in ("/f/fft", "/f/privacy", "/f/nothing_here", "/s/" + "B" * 22):
        assert 'href="/f/privacy">Privacy notice</a>' in visitor.get(path).text
    assert form_world.settings.web_privacy_notice[:60] in visitor.get("/f/privacy").text
    assert "Northshire Parent Carer Forum" in visitor.get("/f/fft").text


def test_a_disclosure_in_free_text_is_flagged_and_signposted(form_world: FormWorld) -> None:
    visitor = begin(form_world, "fft")
    visitor.submit("poor")
    visitor.submit("I am scared of my carer, he hits me")
    assert visitor.title == "Check your answers before sending them"
    done = visitor.submit()
    assert "govuk-warning-text" in done.text
    assert "call 999" in done.text
    with Session(form_world.engine) as db:
        (flag,) = db.exec(select(SafeguardingFlag)).all()
        assert flag.status == "open"
        assert flag.text == "I am scared of my carer, he hits me"


def test_no_signposting_without_a_concern(form_world: FormWorld) -> None:
    visitor = begin(form_world, "fft")
    visitor.submit("good")
    visitor.submit("Lovely staff")
    assert "govuk-warning-text" not in visitor.submit().text
