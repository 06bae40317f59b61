"""A tests-only domain package: its ``api.py`` is found and registered exactly like a real
domain's (the test app lists it in ``API_EXTRA_PACKAGES``)."""
