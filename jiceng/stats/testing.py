"""The statistics app's test declarations (`core.testkit`): its routes for the permission matrix."""
from jiceng.core import testkit
from jiceng.core.testkit import Route

testkit.routes({
    "stats_page": Route("read", target=lambda side: ({}, f"?org={side.org.pk}")),
    "stats_report": Route("read", target=lambda side: ({}, f"?org={side.org.pk}&as_of=2024-12-31")),
    "api-stats-report": Route("read", target=lambda side: ({}, f"?org={side.org.code}&as_of=2024-12-31&format=json"), api=True),
    "stats_dashboard": Route("read", target=lambda side: ({}, f"?org={side.org.pk}")),
    "api-stats-dashboard": Route("read", target=lambda side: ({}, f"?org={side.org.code}"), api=True),
    "api-stats": Route("read", target=lambda side: ({}, f"?org={side.org.code}&as_of=2024-12-31"), api=True),
    "stats_annual": Route("read", target=lambda side: ({}, f"?org={side.org.pk}&year=2024")),
    "api-stats-annual": Route("read", target=lambda side: ({}, f"?org={side.org.code}&year=2024"), api=True),
})
