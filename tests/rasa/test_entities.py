from rasa.shared.nlu.constants import ENTITIES

from bot.rasa.entities import DomainEntityExtractor
from tests.rasa.helpers import message


def entities(nlp, text):
    msg = message(nlp, text)
    DomainEntityExtractor.create({}, None, None, None).process([msg])
    return [(e["entity"], e["value"]) for e in msg.get(ENTITIES)]


def test_procedure_level_activity_and_time(nlp):
    assert entities(nlp, "I had an L4/5 fusion 5 weeks ago, can I swim?") == [
        ("spinal_level", "L4-L5"),
        ("procedure", "fusion"),
        ("time_since_surgery", "P5W"),
        ("activity", "swimming"),
    ]


def test_synonyms_and_typos_map_to_canonical_ids(nlp):
    assert entities(nlp, "after my micro discectomy when can i go back to work") == [
        ("procedure", "microdiscectomy"),
        ("activity", "desk_work"),
    ]
    assert ("procedure", "microdiscectomy") in entities(nlp, "microdiskectomy recovery")
    assert entities(nlp, "when can i return to the office") == [("activity", "desk_work")]
    assert entities(nlp, "is it ok to climb steps yet") == [("activity", "stairs")]
    assert entities(nlp, "two flights of stairs to my flat") == [("activity", "stairs")]
    assert entities(nlp, "can i take a flight next month") == [("activity", "travel")]


def test_levels_written_with_and(nlp):
    assert entities(nlp, "they fused my L4 and L5") == [("procedure", "fusion"), ("spinal_level", "L4-L5")]


def test_a_procedure_the_patient_corrects_is_dropped(nlp):
    assert entities(nlp, "it was a microdiscectomy, not a fusion") == [("procedure", "microdiscectomy")]
    assert entities(nlp, "not a fusion") == [("procedure", "fusion")]


def test_procedures_the_guide_does_not_name(nlp):
    assert entities(nlp, "i had a laminectomy") == [("procedure", "laminectomy")]
    assert entities(nlp, "recovery after a TLIF") == [("procedure", "interbody_fusion")]
    assert entities(nlp, "they put in an artificial disc") == [("procedure", "disc_replacement")]


def test_surgery_date(nlp):
    assert entities(nlp, "my surgery was on october 3rd") == [("surgery_date", "--10-03")]


def test_entity_offsets_point_at_the_text(nlp):
    msg = message(nlp, "Is walking OK after decompression?")
    DomainEntityExtractor.create({}, None, None, None).process([msg])
    assert [msg.get("text")[e["start"] : e["end"]] for e in msg.get(ENTITIES)] == ["walking", "decompression"]
    assert {e["extractor"] for e in msg.get(ENTITIES)} == {"DomainEntityExtractor"}


def test_nothing_is_invented(nlp):
    assert entities(nlp, "what are your opening hours") == []
