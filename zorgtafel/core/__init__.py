"""Lowest floor: the base model, the request guard, after-commit hooks, crypto and the
embedded services. Imports nothing from the domain packages."""
