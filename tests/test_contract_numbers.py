"""Numbers in the contract are strict: a JSON boolean is not a number."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from chinwag_contract.models import ChatActionPayload

IDS = {
    "conversationId": "6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e",
    "messageId": "0b6a1c7e-2f3d-4a5b-9c8d-7e6f5a4b3c2d",
    "promptId": "welcome",
    "clientNonce": "n-1",
}


@pytest.mark.parametrize("value", [True, False])
def test_a_boolean_answer_to_a_number_input_is_refused_with_a_field_error(value: bool) -> None:
    with pytest.raises(ValidationError) as caught:
        ChatActionPayload.model_validate({**IDS, "values": {"seats": value}})
    assert any(error["loc"][:2] == ("values", "seats") for error in caught.value.errors())


@pytest.mark.parametrize("value", [3, 2.5, "three"])
def test_numbers_and_strings_are_accepted_as_answers(value: object) -> None:
    payload = ChatActionPayload.model_validate({**IDS, "values": {"seats": value}})
    assert payload.values is not None
    assert payload.values["seats"] == value
