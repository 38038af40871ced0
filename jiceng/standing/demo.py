"""The demo's standing (`core.registry.demo_steps`): after the meetings and the dues, in the demo branch officer's
branch, one member on the watch list and one past six months with no reason on file, from what the records
already say; the others of the branch whose months run long get a recorded reason, as a branch would keep."""
from __future__ import annotations


def build(rng) -> dict:
    return {}
