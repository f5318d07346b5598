"""Load flow definitions from a folder of YAML files (``CHINWAG_FLOWS_DIR``).

Each file is checked against the contract's flow schema (the generated
``chinwag_contract.flows`` models) and then against the rules the schema cannot express
(``chinwag.domain.flow.check_definition``). A bad file stops the server at start-up with
every problem listed, rather than failing in the middle of a conversation.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

import yaml
from pydantic import ValidationError

from chinwag.domain.flow import FlowButton, FlowDefinition, FlowStep, check_definition
from chinwag.domain.message import InputField, InputOption
from chinwag_contract import flows as schema

PACKAGED_FLOWS = Path(__file__).parent / "flows"
"""The folder of the flows chinwag ships (the demo flow)."""


class FlowCatalogError(ValueError):
    """A flow file is invalid; the message lists the file and every problem."""


class FlowCatalog(Mapping[str, FlowDefinition]):
    """The loaded flows by id."""

    def __init__(self, flows: Mapping[str, FlowDefinition]) -> None:
        self._flows = dict(flows)

    def __getitem__(self, flow_id: str) -> FlowDefinition:
        return self._flows[flow_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._flows)

    def __len__(self) -> int:
        return len(self._flows)


def load_catalog(folder: Path) -> FlowCatalog:
    """Every ``*.yaml``/``*.yml`` flow in ``folder`` (sorted by file name)."""
    if not folder.is_dir():
        raise FlowCatalogError(f"{folder}: the flows folder does not exist")
    flows: dict[str, FlowDefinition] = {}
    for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
        definition = load_flow(path)
        if definition.id in flows:
            raise FlowCatalogError(f"{path}: flow id {definition.id!r} is defined twice")
        flows[definition.id] = definition
    return FlowCatalog(flows)


def load_flow(path: Path) -> FlowDefinition:
    """One flow file, validated."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        model = schema.FlowDefinition.model_validate(raw)
    except (OSError, yaml.YAMLError) as exc:
        raise FlowCatalogError(f"{path}: {exc}") from None
    except ValidationError as exc:
        problems = [f"{'/'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
        raise FlowCatalogError(f"{path}:\n  - " + "\n  - ".join(problems)) from None
    definition = to_domain(model)
    problems = check_definition(definition)
    if problems:
        raise FlowCatalogError(f"{path}:\n  - " + "\n  - ".join(problems))
    return definition


def to_domain(model: schema.FlowDefinition) -> FlowDefinition:
    """The generated model as the domain's definition."""
    steps = {}
    for step_id, step in model.steps.items():
        steps[step_id] = FlowStep(
            id=step_id,
            text=step.text,
            buttons=tuple(
                FlowButton(b.id, b.label, b.value if b.value is not None else b.id, b.next)
                for b in step.buttons or ()
            ),
            inputs=tuple(
                InputField(
                    id=i.id,
                    type=i.type,
                    label=i.label,
                    required=bool(i.required),
                    options=tuple(InputOption(o.value, o.label) for o in i.options)
                    if i.options is not None
                    else None,
                    min=i.min,
                    max=i.max,
                    pattern=i.pattern,
                )
                for i in step.inputs or ()
            ),
            next=step.next,
            action=step.action,
        )
    return FlowDefinition(model.id, model.title, model.start, steps)
