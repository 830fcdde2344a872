"""Reporters: console (rich), JSON document; the only modules, with cli.py, that present results."""
