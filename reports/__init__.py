"""Monthly provider reports (reports issue)."""
