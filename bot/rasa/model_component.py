"""How Rasa makes the project's NLU components: `create` to train them (or to run one with nothing
to train), `load` to run a trained one with what its training stored in the model.

Rasa calls both with the same arguments; `_constructor` writes them once.
"""

from __future__ import annotations

from abc import abstractmethod
from pathlib import Path
from typing import Any, Dict, Text, Tuple, Type, TypeVar, cast

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage

C = TypeVar("C", bound="ModelComponent")


def _constructor(reads_resource: bool) -> Any:
    """Rasa's `create`, or its `load` (`reads_resource`): the component made from its configuration
    and its resource, which `load` has it read."""

    def construct(
        cls: Type[C],
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> C:
        component = cls(config, model_storage, resource)
        if reads_resource:
            with model_storage.read_from(resource) as directory:
                cast(TrainedComponent, component).read(directory)
        return component

    return classmethod(construct)


def require(component: str, config: Dict[Text, Any], keys: Tuple[str, ...]) -> None:
    """Calibrated values have no code default: config.yml must give every one of `keys`."""
    missing = [key for key in keys if key not in config]
    if missing:
        raise ValueError(f"config.yml: {component} needs {', '.join(missing)} (calibrated values live there only)")


class ModelComponent(GraphComponent):
    """A component made from its configuration and its resource in the model."""

    CALIBRATED: Tuple[str, ...] = ()  # what config.yml must give: no defaults in code

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource) -> None:
        require(type(self).__name__, config, self.CALIBRATED)
        self.config = config
        self._model_storage = model_storage
        self._resource = resource

    create = _constructor(reads_resource=False)


class TrainedComponent(ModelComponent):
    """A component whose training stores what it learnt in its resource (`train`) and which
    reads it back when the model is loaded (`read`)."""

    load = _constructor(reads_resource=True)

    @abstractmethod
    def read(self, directory: Path) -> None:
        """Takes what `train` wrote to the resource's directory."""
