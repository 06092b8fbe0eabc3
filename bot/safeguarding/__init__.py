"""safeguarding"""
