"""E-mail: personal web links sent by SMTP, and the unsubscribe page they link to."""
