"""Understanding free text: sentiment, themes, safeguarding (pure functions)."""
