"""A consultation's published world, shared by the collection's and the anthology's tests: two workshops
in it (the Maison and the Jardin published in the first, the Car in the second beside a draft titled
"Brouillon secret"), and a workshop outside it whose Banc is published too."""

from __future__ import annotations

from core.unit_of_work import committed
from stories.reading import publishing
from tests import factories
from tests.stories import samples


def populate(consultation_id: int) -> None:
    first = samples.build_collection(
        samples=[samples.MAISON, samples.JARDIN], consultation_id=consultation_id
    )
    second = samples.build_collection(
        "Vieillir en 2040", samples=[samples.CAR, samples.GLYCINES], consultation_id=consultation_id
    )
    outside = samples.build_collection("Ailleurs", samples=[samples.BANC])
    for workshop, sample in [
        (first, samples.MAISON),
        (first, samples.JARDIN),
        (second, samples.CAR),
        (outside, samples.BANC),
    ]:
        group = next(g for g in workshop.groups if g.name == sample.group)
        with committed():
            samples.publish(factories.story_of(group), sample)
    glycines = next(g for g in second.groups if g.name == samples.GLYCINES.group)
    with committed():
        publishing.save(factories.story_of(glycines), publishing.Draft(title="Brouillon secret"))
