"""Scene checklists, the indicators they tag and the /refer decision flow."""
