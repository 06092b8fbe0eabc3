"""The web form: surveys answered in a browser, one question per page (channel ``web``)."""
