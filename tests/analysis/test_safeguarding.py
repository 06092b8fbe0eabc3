"""Safeguarding: every realistic disclosure below must be flagged, in the right category, and
none of the ordinary comments may be. Add a row whenever a disclosure is missed in real life."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.errors import DataFileError
from analysis.lexicon import load_lexicon
from analysis.safeguarding import check, check_conversation, default_lexicon, label

# (category expected among the result's categories, text). Plain, misspelt and indirect wording.
DISCLOSURES: list[tuple[str, str]] = [
    # physical
    ("physical", "he grabs my arm hard"),
    ("physical", "The carer hit me when I wouldn't get up"),
    ("physical", "she slapped my mum across the face"),
    ("physical", "one of them pushed me into the chair"),
    ("physical", "my dad has bruises on his arms after they wash him"),
    ("physical", "there were finger marks on her wrist"),
    ("physical", "they are too rough when they move me"),
    ("physical", "she pinches me if i'm slow"),
    ("physical", "he slaped me"),
    ("physical", "the new carer kiked my leg"),
    ("physical", "Mum came home with a black eye and nobody could tell us why"),
    ("physical", "they tied him to the chair so he wouldn't wander"),
    ("physical", "she handles me roughly when she dresses me"),
    ("physical", "he was punshed by another resident"),
    ("physical", "they locked her in her room all afternoon"),
    ("physical", "my husband was assaulted at the day centre"),
    # sexual
    ("sexual", "he touches me where he shouldn't"),
    ("sexual", "the night carer touched my breasts when he washed me"),
    ("sexual", "he makes dirty comments when he helps me shower"),
    ("sexual", "a man there tried to kiss me and I didnt want it"),
    ("sexual", "he watches me while I'm undressing"),
    ("sexual", "i was sexually assaulted by a staff member"),
    ("sexual", "he got into bed with her"),
    ("sexual", "one carer keeps touching me inapropriately"),
    ("sexual", "he exposed himself to my daughter"),
    ("sexual", "he shows me porn on his phone"),
    # psychological / emotional
    ("psychological", "carer shouts at me"),
    ("psychological", "they call me names"),
    ("psychological", "she calls me a stupid old cow"),
    ("psychological", "they laugh at me when I wet myself"),
    ("psychological", "the staff threaten to put me in a home if I complain"),
    ("psychological", "she makes me feel worthless"),
    ("psychological", "they treat him like a child and talk down to him"),
    ("psychological", "he told me I'm a burden and should be grateful"),
    ("psychological", "i'm being bullied by the manager"),
    ("psychological", "the carer is nasty to my mum"),
    ("psychological", "he swears at me every morning"),
    ("psychological", "they humilate me in front of the other residents"),
    ("psychological", "she is verbally abusive"),
    ("psychological", "he screams at my dad"),
    # financial
    ("financial", "she takes money from my purse"),
    ("financial", "money keeps going missing from his wallet"),
    ("financial", "my rings have gone missing since the new carer started"),
    ("financial", "the carer asked me for my pin number"),
    ("financial", "he borrowed £200 and never paid it back"),
    ("financial", "someone has been using my bank card"),
    ("financial", "they made me sign some papers about my house"),
    ("financial", "my neighbour stole my pension"),
    ("financial", "he took my cash card and never gave it back"),
    ("financial", "my son changed my will without telling me"),
    ("financial", "the carer keeps my change from the shopping"),
    ("financial", "she is always asking for money"),
    # neglect and acts of omission
    ("neglect", "left in wet pads all day"),
    ("neglect", "nobody came and I couldn't get out of bed"),
    ("neglect", "they left her sitting in her own urine"),
    ("neglect", "he was left without food or a drink until the evening"),
    ("neglect", "no one gave me my tablets for three days"),
    ("neglect", "mum has bed sores because they never turn her"),
    ("neglect", "they didn't give her any lunch"),
    ("neglect", "she hasn't been washed for a week"),
    ("neglect", "the carer didnt turn up and I had no food all day"),
    ("neglect", "I was stuck on the floor for hours until my son came"),
    ("neglect", "his pad was soaking when I got there"),
    ("neglect", "she missed my insulin again"),
    ("neglect", "I couldn't get to the toilet and had to wait till the evening"),
    ("neglect", "I'm hungry because no one makes me breakfast"),
    ("neglect", "they forgot to give dad his medication"),
    ("neglect", "the carers never came so I was stuck in bed all day"),
    ("neglect", "dad was dehydrated when he went into hospital"),
    ("neglect", "they just leave her alone for hours"),
    ("neglect", "I was left lying in my own mess"),
    ("neglect", "I feel neglected"),
    # discriminatory
    ("discriminatory", "they call me names because I'm black"),
    ("discriminatory", "she makes racist comments about my family"),
    ("discriminatory", "they won't help me because I'm gay"),
    ("discriminatory", "he told me to go back to my own country"),
    ("discriminatory", "they mock my accent"),
    ("discriminatory", "i was treated differently because of my religion"),
    ("discriminatory", "the carer is racsist"),
    ("discriminatory", "one of them called me a paki"),
    ("discriminatory", "they laugh at my hijab"),
    ("discriminatory", "i feel discriminated against because I am disabled"),
    # domestic abuse
    ("domestic_abuse", "my husband hits me when he's been drinking"),
    ("domestic_abuse", "my partner won't let me see my friends"),
    ("domestic_abuse", "I'm scared of my son"),
    ("domestic_abuse", "my son takes all my money"),
    ("domestic_abuse", "my boyfriend is very controlling"),
    ("domestic_abuse", "i had to go to a refuge to get away from him"),
    ("domestic_abuse", "I'm frightened to go home"),
    ("domestic_abuse", "there is domestic abuse at home"),
    ("domestic_abuse", "my daughter threatens me"),
    ("domestic_abuse", "my partner is violent"),
    # self-neglect
    ("self_neglect", "I've stopped eating properly since my wife died"),
    ("self_neglect", "I can't look after myself anymore"),
    ("self_neglect", "he refuses to let the carers in"),
    ("self_neglect", "her house is filthy and full of rubbish"),
    ("self_neglect", "I haven't washed in weeks"),
    ("self_neglect", "i stopped taking my tablets"),
    ("self_neglect", "I can't afford to put the heating on"),
    ("self_neglect", "he's drinking too much and not eating"),
    ("self_neglect", "I don't bother to get dressed now"),
    # self-harm and suicidal thoughts
    ("self_harm", "I want to end it all"),
    ("self_harm", "sometimes I think I'd be better off dead"),
    ("self_harm", "I have been cutting myself again"),
    ("self_harm", "i feel sucidal"),
    ("self_harm", "I don't want to be here anymore"),
    ("self_harm", "I wish I was dead"),
    ("self_harm", "i want to kill myself"),
    ("self_harm", "I took an overdose last week"),
    ("self_harm", "whats the point in living"),
    ("self_harm", "no point going on"),
    ("self_harm", "I think about ending my life"),
    ("self_harm", "i keep thinking about harming myself"),
    ("self_harm", "I just want to die"),
    ("self_harm", "i cant go on like this"),
    # feeling unsafe or afraid
    ("unsafe", "I don't feel safe"),
    ("unsafe", "I do not feel safe with him"),
    ("unsafe", "I dont feel safe at home"),
    ("unsafe", "I don’t feel safe when she comes"),
    ("unsafe", "not safe"),
    ("unsafe", "I never feel safe"),
    ("unsafe", "I don't always feel safe with the night carer"),
    ("unsafe", "they don't keep me safe"),
    ("unsafe", "I'm scared when he comes"),
    ("unsafe", "i am scard of the carer"),
    ("unsafe", "I'm frightend of the new carer"),
    ("unsafe", "i'm afraid to tell anyone"),
    ("unsafe", "I dread them coming"),
    ("unsafe", "he frightens me"),
    ("unsafe", "I feel unsafe"),
    ("unsafe", "the carer came in drunk"),
    ("unsafe", "i dnt feel saf"),
    ("unsafe", "Im terrified when he visits"),
    ("unsafe", "I no longer feel safe"),
    # Added after review: passive and indirect medication, coercion and dignity disclosures.
    ("neglect", "my medication wasnt given for 3 days"),
    ("neglect", "my tablets were not given"),
    ("neglect", "medication was missed again"),
    ("neglect", "the carer gave me the wrong tablets"),
    ("neglect", "they gave me double my dose"),
    ("neglect", "they ignore me when I ask for the toilet"),
    ("neglect", "she refused to take me to the toilet"),
    ("financial", "I give her money or she wont help me"),
    ("financial", "he wont help unless I pay him extra"),
    ("psychological", "the carers talk about me like Im not there and laugh"),
    ("physical", "she pulls my hair"),
    ("physical", "I was dropped during the hoist"),
    ("physical", "they rushed me and I fell"),
    ("physical", "the hoist wasnt used and I fell"),
    ("psychological", "im not allowed to see my friends"),
    ("psychological", "he takes my phone away so I cant call anyone"),
    ("neglect", "they make me stay in bed all day"),
    ("neglect", "nobody has been for two days"),
    ("neglect", "the door was left open all night"),
    ("neglect", "they dont lock my door when they leave"),
    ("sexual", "he makes me do things I dont want to"),
    ("sexual", "he comes into the bathroom when I dont want him to"),
    ("unsafe", "please help me"),
    ("physical", "carer wacked my hand"),
    ("physical", "i am locked in"),
    ("neglect", "no 1 came 2 get me up"),
    ("neglect", "i was left on the commode for ages"),
    ("neglect", "they forgot to come and i fell"),
    ("neglect", "i waited all night for someone to help me to the toilet"),
    ("sexual", "he puts his hands where he shouldnt"),
    ("self_harm", "i just want it all to end"),
    ("self_harm", "i dont see the point anymore"),
    ("psychological", "they said im too fat to wash"),
    ("unsafe", "my boy is scared to go to the centre"),
    ("physical", "they locked my son in a room"),
    ("neglect", "my daughter was left alone in the minibus"),
]

SAFE: list[str] = [
    "I was left alone to rest which was nice",
    "She locked the door behind her",
    "I just want the wait to end",
    "I dont see the point of the survey",
    "I was left in the waiting room for ages",
    "Put the tablets where they should be",
    "Visitors were not allowed during covid",
    "Her door is always open if you need to talk",
    "Could you help me understand the form",
    "They were so kind that I dropped having an attendant",
    "The tablets were given on time",
    "Medication was given promptly by the nurse",
    "My medication review was helpful",
    "I feel safe",
    "I feel very safe with my carers",
    "They keep me safe and well",
    "I have never felt so safe",
    "Couldn't fault them, felt safe",
    "couldnt fault them felt safe",
    "Nothing, I felt safe and cared for",
    "I didn't feel unsafe at any point",
    "Answer the phone quicker",
    "The carers are always late",
    "They pushed me in my wheelchair to the ward",
    "The driver picked me up on time",
    "It took too long to get through on the phone",
    "Very good service, thank you",
    "More parking at the hospital please",
    "The food was lovely and the staff were kind",
    "I was in a lot of pain but the paramedics were brilliant",
    "The taxi was late and the driver was rude",
    "Nothing could be improved",
    "They were on time picking me up both ways",
    "I started the course last week and it has helped",
    "The ambulance took 3 hours to arrive",
    "Not enough staff on the ward",
    "The nurse was gentle and explained everything",
    "No improvements needed",
    "I was not neglected at all",
    "She helped me change my will and explained the options",
    "They only take cash in the cafe",
    "Thank you for the sterling service",
    "I was told roughly within 3-6 hours",
    "It is a life threatening wait",
    "Staff shook my hand and introduced themselves",
    "Can't think of anything",
    "They always ask if I have had my tablets",
    "My husband helps me with my money",
]


@pytest.mark.parametrize(("category", "text"), DISCLOSURES)
def test_disclosure_is_flagged(category: str, text: str) -> None:
    result = check(text)
    assert result.flagged, text
    assert category in result.categories, (text, result.categories)


@pytest.mark.parametrize("text", SAFE)
def test_ordinary_comment_is_not_flagged(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAREVOICE_SAFEGUARDING_MODEL", "likely")
    result = check(text)
    assert not result.flagged, [(e.rule, e.text) for e in result.evidence]


@pytest.mark.parametrize("text", SAFE)
def test_at_the_default_an_ordinary_comment_is_at_most_a_possible_concern(text: str) -> None:
    # The default reads for recall, so a few ordinary comments are raised for triage (see the
    # README's figures); never by the rules, and never as a likely disclosure.
    result = check(text)
    assert result.layer in ("", "model"), [(e.rule, e.text) for e in result.evidence]
    assert result.band in ("", "possible")


def test_every_category_has_disclosures_in_this_table() -> None:
    assert set(default_lexicon().labels) == {category for category, _ in DISCLOSURES}


def test_evidence_quotes_the_original_words() -> None:
    text = "Honestly?  I DON’T feel safe with Tom"
    (evidence,) = check(text).evidence
    assert text[evidence.start : evidence.end] == evidence.text == "safe"
    misspelt = check("I am frightend of the carer").evidence[0]
    assert misspelt.text.startswith("frightend")


def test_result_has_categories_as_csv_string_and_labels() -> None:
    result = check("they call me names because I'm black")
    assert result.category == "psychological;discriminatory"
    assert label("self_harm") == "Self-harm or suicidal thoughts"
    assert check("lovely carers").category == ""


def test_conversation_disclosure_split_across_messages() -> None:
    assert check_conversation(["I don't feel", "safe with him"]).flagged
    assert not check_conversation(["Good service", "I feel safe"]).flagged


def test_empty_and_odd_text_is_never_an_error() -> None:
    for text in ["", "   ", "!!!", "😀😀", "İ" * 50, "\n\n"]:
        assert not check(text).flagged


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "lexicon.yaml"
    path.write_text(body, encoding="utf-8")
    return path


_RULES = "categories:\n  x:\n    label: X\n    rules:\n"
_HEAD = """version: 1
negation: {cues: [not], window: 3, breaks: '[.]'}
fuzzy: {min_length: 6, terms: []}
"""


def test_replacement_lexicon_is_used(tmp_path: Path) -> None:
    rules = _RULES + "      - {id: x.word, pattern: '\\bzebra\\b'}\n"
    lexicon = load_lexicon(_write(tmp_path, _HEAD + rules))
    assert check("a Zebra came", lexicon).categories == ("x",)
    # The default lexicon's rule is gone; the model (which reads this as the disclosure it is)
    # is left out so that the assertion is about the replacement lexicon alone.
    assert not check("I don't feel safe", lexicon, use_model=False).flagged


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (_RULES + "      - {id: a, pattern: '(oops'}\n",
         "invalid regular expression"),
        (_RULES + "      - {id: a, pattern: '{nope}'}\n",
         "unknown macro {nope}"),
        (_RULES + "      - {id: a, pattern: a}\n"
         "      - {id: a, pattern: b}\n", "rule id 'a' is used twice"),
        (_RULES + "      - {id: a, pattern: a, colour: red}\n",
         "categories.x.rules.0.colour"),
        (_RULES + "      - {id: a, pattern: a, negation: maybe}\n",
         "negation"),
        ("categories: {}\n", "categories"),
        ("categories: [unclosed\n", "not valid YAML"),
    ],
)  # fmt: skip
def test_invalid_lexicon_is_refused_with_a_clear_message(
    tmp_path: Path, body: str, message: str
) -> None:
    path = _write(tmp_path, _HEAD + body)
    with pytest.raises(DataFileError) as caught:
        load_lexicon(path)
    assert str(path) in str(caught.value)
    assert message in str(caught.value)


def test_missing_lexicon_file_is_a_data_file_error(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="cannot read file"):
        load_lexicon(tmp_path / "absent.yaml")
