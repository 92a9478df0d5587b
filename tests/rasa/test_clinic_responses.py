"""The responses with the clinic profile's values (bot/rasa/clinic_responses.py): filled once, a
variation needing an unset value dropped, a response left with none refused at start-up."""

from dataclasses import replace

import pytest
from rasa.core.agent import Agent

from bot.clinic import ClinicProfileError, load_profile
from bot.rasa.clinic_responses import ClinicResponses, prepare
from bot.runtime.services import (
    START_TIMEOUT_SECONDS,
    isolated_environment,
    isolated_settings,
    start_services,
    stop_services,
)
from tests.clinic_profiles import PHONE, SHIPPED

UNSET = load_profile(SHIPPED)
SET = replace(UNSET, phone=PHONE)
WARNING = [{"type": "slot", "name": "warning_sign", "value": "fever"}]
RESPONSES = {
    "utter_red_flag": [
        {"condition": WARNING, "text": "Fever. Call the clinic at {clinic_phone}.", "metadata": {"cites": ["x"]}},
        {"condition": WARNING, "text": "Fever. Contact your surgeon."},
        {"text": "A warning sign. Call {clinic_phone} or, in an emergency, {clinic_emergency_number}."},
        {"text": "A warning sign. In an emergency, call {clinic_emergency_number}."},
    ],
    "utter_faq/clinic_hours": [{"text": "Open {clinic_hours}."}],
    "utter_greet": [{"text": "Hello!"}, {"text": "Hi, this is {clinic_name}."}],
    "utter_timeline_procedure": [{"text": "For {procedure_label}, {clinic_name} says: {milestones}."}],
}


def texts(responses, name):
    return [v["text"] for v in responses[name]]


def test_with_the_number_unset_the_variations_needing_it_are_dropped():
    prepared = prepare(RESPONSES, UNSET)
    assert texts(prepared, "utter_red_flag") == [
        "Fever. Contact your surgeon.",
        "A warning sign. In an emergency, call 911.",
    ]
    assert prepared["utter_red_flag"][1]["metadata"] == {"call": [{"label": "Emergency number", "number": "911"}]}


def test_with_the_number_set_the_variations_giving_it_replace_those_without():
    prepared = prepare(RESPONSES, SET)
    assert texts(prepared, "utter_red_flag") == [
        f"Fever. Call the clinic at {PHONE}.",
        f"A warning sign. Call {PHONE} or, in an emergency, 911.",
    ]
    assert prepared["utter_red_flag"][0]["metadata"] == {
        "cites": ["x"],
        "call": [{"label": "Phone", "number": PHONE}],
    }
    assert [n["number"] for n in prepared["utter_red_flag"][1]["metadata"]["call"]] == [PHONE, "911"]
    assert RESPONSES["utter_red_flag"][0]["text"] == "Fever. Call the clinic at {clinic_phone}.", "input unchanged"


def test_values_are_filled_and_other_placeholders_left_for_rasa():
    prepared = prepare(RESPONSES, UNSET)
    assert texts(prepared, "utter_faq/clinic_hours") == ["Open Monday to Friday, 9:00 a.m. to 5:00 p.m."]
    assert texts(prepared, "utter_greet") == ["Hi, this is ATLAS Institute of Brain and Spine."]
    generator = ClinicResponses(UNSET)
    generator.responses = RESPONSES
    reply = generator.generate_from_slots(
        "utter_timeline_procedure", {}, "rest", procedure_label="fusion", milestones="8–12 weeks"
    )
    assert reply is not None
    assert reply["text"] == "For fusion, ATLAS Institute of Brain and Spine says: 8–12 weeks."


def test_a_response_left_without_a_variation_stops_the_start_naming_it_and_the_fix():
    responses = {"utter_human_handoff": [{"text": "Call {clinic_phone}."}]}
    with pytest.raises(ClinicProfileError) as error:
        ClinicResponses(UNSET).responses = responses
    message = str(error.value)
    assert "utter_human_handoff has no variation left" in message and str(SHIPPED) in message
    assert "(phone). Set it there, or add a variation without it to utter_human_handoff in domain.yml" in message


def test_an_unknown_clinic_placeholder_is_refused():
    with pytest.raises(ClinicProfileError, match=r"utter_x uses \{clinic_fax\}.* use one of \{clinic_name\}"):
        prepare({"utter_x": [{"text": "Fax {clinic_fax}."}]}, SET)


def test_the_agent_prepares_the_responses_rasa_gives_its_generator():
    agent = Agent(generator=ClinicResponses(SET))
    agent.nlg.responses = RESPONSES  # what Agent.load_model does with the model's domain
    assert texts(agent.nlg.responses, "utter_red_flag")[0] == f"Fever. Call the clinic at {PHONE}."


@pytest.mark.servers
def test_the_rasa_server_refuses_to_start_with_a_bad_profile_and_says_why(tmp_path):
    profile = tmp_path / "clinic.yml"
    profile.write_text(SHIPPED.read_text(encoding="utf-8").replace('phone: ""', 'phone: "call us"'), encoding="utf-8")
    environment = {**isolated_environment(tmp_path), "CLINIC_PROFILE_FILE": str(profile)}
    services = start_services(isolated_settings(), tmp_path, environment, processes=("rasa",))
    try:
        assert services.processes["rasa"].wait(timeout=START_TIMEOUT_SECONDS) == 1
    finally:
        stop_services(services)
    assert f"the Rasa server cannot start: {profile}:" in services.logs()
    assert "phone 'call us' is not a phone number: use 3 to 15 digits" in services.logs()
