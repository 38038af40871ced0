"""The dues app's test declarations (`core.testkit`): its routes (and factories of its records)."""
from jiceng.core import testkit
from jiceng.core.testkit import Route

testkit.routes({
    "api-dues-compute": Route("list", api=True, kwargs={}),
})
