"""Rolling upgrades: what a newer HQ sends a terminal of the version before still parses there."""

import json

from sync.protocol import WireProduct


def test_a_product_without_a_cost_goes_on_the_wire_as_before_costs_existed() -> None:
    unknown = json.loads(WireProduct(sku="A", name="Apple", price=100).model_dump_json())
    assert "cost" not in unknown  # the version before refuses unknown keys
    known = WireProduct.model_validate_json(WireProduct(sku="A", name="Apple", price=100, cost=60).model_dump_json())
    assert known.cost == 60 and WireProduct.model_validate(unknown).cost is None
