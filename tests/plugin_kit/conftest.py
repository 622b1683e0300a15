"""The example plugin's own tests run in the wheel test's fresh environment, not here."""

collect_ignore = ["acme_plugin"]
