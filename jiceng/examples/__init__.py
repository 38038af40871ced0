"""Example apps: small, real apps written the way docs/new-app.md says, installed by the test settings only
(`jiceng.examples.settings`), so the whole suite proves that an app plugs in without editing core."""
